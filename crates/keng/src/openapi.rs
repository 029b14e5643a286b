//! The OpenAPI 3.1 document of every `/api/v1` route, served at `/api/openapi.json`:
//! the common part (title, bearer authentication, the errors every operation may give)
//! and each capability's part (`Capability::openapi`), merged at start.

use std::sync::OnceLock;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(servers((url = "/", description = "This server")), info(
    title = "Keng API",
    description = "The JSON API of Kẻng, a provincial police department's platform for the press and the public. Errors are RFC 9457 problem+json in the request's language (Accept-Language: vi or en)."
))]
struct Common;

/// The whole document: the common part and every capability's, merged.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = Common::openapi();
    for c in crate::capabilities::all() {
        doc.merge(c.openapi());
    }
    BearerAuth.modify(&mut doc);
    CommonErrors.modify(&mut doc);
    doc
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The answers every operation may give besides its own, as the platform layers give
/// them (RFC 9457 problem+json in the request's language): a malformed request or query
/// (400), an unknown or revoked token (401), a body too large (413), a body that is not
/// JSON where JSON is expected (415), a JSON body of the wrong shape (422), too many
/// requests (429); operations with path parameters may answer 404, and those that need
/// a signed-in user 403. Every error answer, common or the operation's own, carries the
/// `Problem` schema.
struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::{HttpMethod, Operation};
        use utoipa::openapi::{ContentBuilder, ObjectBuilder, RefOr, ResponseBuilder, Type};
        let problem = ObjectBuilder::new()
            .description(Some("An RFC 9457 problem document"))
            .property("type", ObjectBuilder::new().schema_type(Type::String))
            .property("title", ObjectBuilder::new().schema_type(Type::String))
            .property("status", ObjectBuilder::new().schema_type(Type::Integer))
            .property("detail", ObjectBuilder::new().schema_type(Type::String))
            .property(
                "errors",
                ObjectBuilder::new()
                    .schema_type(Type::Object)
                    .description(Some("Per field, what is wrong (422)")),
            )
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .schemas
            .insert("Problem".to_string(), RefOr::T(problem.into()));
        let answer = |what: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(what)
                    .content(
                        "application/problem+json",
                        ContentBuilder::new()
                            .schema(Some(utoipa::openapi::Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build(),
            )
        };
        let add = |op: &mut Operation, has_body: bool, has_path_params: bool| {
            let mut common = vec![
                ("400", "Malformed request or query"),
                ("401", "Unknown, revoked or expired token"),
                ("429", "Too many requests"),
            ];
            if has_body {
                common.extend([
                    ("413", "Request body too large"),
                    ("415", "Unsupported content type"),
                    ("422", "Invalid input"),
                ]);
            }
            if has_path_params {
                common.push(("404", "Not found"));
            }
            if op.security.is_some() {
                common.push(("403", "Not allowed for this account"));
            }
            for (code, what) in common {
                op.responses
                    .responses
                    .entry(code.to_string())
                    .or_insert_with(|| answer(what));
            }
            // The operation's own error answers (a 404, a 409 …) are problem documents
            // too: give those declared with a description only the schema.
            for (code, response) in op.responses.responses.iter_mut() {
                if let RefOr::T(r) = response {
                    if (code.starts_with('4') || code.starts_with('5')) && r.content.is_empty() {
                        r.content.insert(
                            "application/problem+json".to_string(),
                            ContentBuilder::new()
                                .schema(Some(utoipa::openapi::Ref::from_schema_name("Problem")))
                                .build(),
                        );
                    }
                }
            }
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let has_path_params = path.contains('{');
            for (method, op) in [
                (HttpMethod::Get, item.get.as_mut()),
                (HttpMethod::Post, item.post.as_mut()),
                (HttpMethod::Put, item.put.as_mut()),
                (HttpMethod::Delete, item.delete.as_mut()),
                (HttpMethod::Patch, item.patch.as_mut()),
            ] {
                if let Some(op) = op {
                    let has_body = !matches!(method, HttpMethod::Get | HttpMethod::Delete);
                    add(op, has_body, has_path_params);
                }
            }
        }
    }
}

static DOCUMENT: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();

/// `GET /api/openapi.json` (built once per process).
pub async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(DOCUMENT.get_or_init(document).clone())
}

#[cfg(test)]
mod tests {
    /// Merging keeps the first of two paths or schemas with the same name: no two
    /// capabilities may document the same one, or one would silently vanish.
    #[test]
    fn no_two_capabilities_document_the_same_path_or_schema() {
        let mut paths = std::collections::BTreeMap::new();
        // The platform's own schemas (`CommonErrors`) are taken too.
        let mut schemas = std::collections::BTreeMap::from([("Problem".to_string(), "platform")]);
        for c in crate::capabilities::all() {
            let name = c.describe().name;
            let doc = c.openapi();
            for p in doc.paths.paths.keys() {
                if let Some(other) = paths.insert(p.clone(), name) {
                    panic!("{p} is documented by {other} and {name}");
                }
            }
            for s in doc.components.iter().flat_map(|c| c.schemas.keys()) {
                if let Some(other) = schemas.insert(s.clone(), name) {
                    panic!("schema {s} is documented by {other} and {name}");
                }
            }
        }
        let doc = super::document();
        assert_eq!(doc.paths.paths.len(), paths.len());
        assert!(paths.len() >= 15, "{paths:?}");
    }
}
