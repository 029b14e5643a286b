"""The publish journey through a client generated from Kẻng's OpenAPI document by
openapi-python-client (a maintained generator): a press officer creates a bulletin and
submits it, the leader finds it in their approval queue and approves it, the officer
publishes it and uploads a picture, and the public reads it as ninjs. Every call goes
through the generated functions and models; any error status fails the run.

    python3 e2e/generated_client_journey.py BASE_URL OFFICER_TOKEN LEADER_TOKEN CLIENT_DIR
"""

import struct
import sys
import zlib

base, officer_token, leader_token, client_dir = sys.argv[1:5]
sys.path.insert(0, client_dir)

from keng_client import AuthenticatedClient, Client  # noqa: E402
from keng_client.api.newsroom import (  # noqa: E402
    act,
    create,
    desk_list_bulletins,
    get,
    upload,
)
from keng_client.models import (  # noqa: E402
    ActionInput,
    Attachment,
    Bulletin,
    BulletinInput,
    DeskItem,
    Ninjs,
    Step,
    UploadForm,
)
from keng_client.types import File  # noqa: E402


def fail(msg):
    print(f"client: {msg}", file=sys.stderr)
    sys.exit(1)


def png() -> bytes:
    """A 1×1 PNG, made here."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xcc\x22\x22")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


officer = AuthenticatedClient(base_url=base, token=officer_token, raise_on_unexpected_status=True)
leader = AuthenticatedClient(base_url=base, token=leader_token, raise_on_unexpected_status=True)
public = Client(base_url=base, raise_on_unexpected_status=True)

draft = create.sync(
    client=officer,
    body=BulletinInput(
        kind="press_release",
        category="an_toan_giao_thong",
        title="Phân luồng giao thông dịp Tết qua client sinh tự động",
        summary="Thông cáo tạo bằng client sinh từ tài liệu OpenAPI.",
        body="Nội dung thông cáo.\n\nĐoạn thứ hai.",
        audience="public",
        places=["Thanh Hoá"],
    ),
)
if not isinstance(draft, Bulletin):
    fail(f"create answered {draft!r}")
bid = draft.id

submitted = act.sync(bid, Step.SUBMIT, client=officer, body=ActionInput())
if not isinstance(submitted, Bulletin) or submitted.state != "submitted":
    fail(f"submit answered {submitted!r}")

queue = desk_list_bulletins.sync(client=leader, awaiting_me=True)
if not isinstance(queue, list) or not all(isinstance(i, DeskItem) for i in queue):
    fail(f"the approval queue answered {queue!r}")
mine = [i for i in queue if i.bulletin.id == bid]
if not mine or Step.APPROVE.value not in mine[0].actions:
    fail("the bulletin is not in the leader's approval queue")

approved = act.sync(bid, Step.APPROVE, client=leader, body=ActionInput())
if not isinstance(approved, Bulletin) or approved.state != "approved":
    fail(f"approve answered {approved!r}")
published = act.sync(bid, Step.PUBLISH, client=officer, body=ActionInput())
if not isinstance(published, Bulletin) or published.state != "published":
    fail(f"publish answered {published!r}")

files = upload.sync(
    bid,
    client=officer,
    body=UploadForm(file=File(payload=png(), file_name="anh.png", mime_type="image/png"), caption="Sơ đồ phân luồng"),
)
if not isinstance(files, list) or len(files) != 1 or not isinstance(files[0], Attachment):
    fail(f"upload answered {files!r}")

doc = get.sync(bid, client=public)
if not isinstance(doc, Ninjs) or doc.pub_status != "usable":
    fail(f"the public read answered {doc!r}")
if "client sinh tự động" not in doc.headlines[0].value:
    fail("the public document has another headline")
print("client: ok")
