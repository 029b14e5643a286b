//! The OpenAPI 3.1 description of every `/api/v1` route, generated from the handlers'
//! annotations and served at `/api/openapi.json`.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::accounts::{api as accounts, model, store};
use crate::newsroom::{api as newsroom, model as nmodel, store as nstore};
use crate::platform::{audit, permissions};

#[derive(OpenApi)]
#[openapi(
    info(title = "Kẻng API", description = "The JSON API of Kẻng, a provincial police department's platform for the press and the public. Errors are RFC 9457 problem+json in the request's language (Accept-Language: vi or en)."),
    paths(
        accounts::me,
        accounts::list_units, accounts::create_unit,
        accounts::list_agencies, accounts::get_agency, accounts::create_agency, accounts::update_agency,
        accounts::list_users, accounts::get_user, accounts::update_user, accounts::create_user, accounts::change_status,
        accounts::register,
        accounts::audit_log,
        accounts::list_tokens, accounts::create_token, accounts::revoke_token,
        newsroom::list, newsroom::get, newsroom::create, newsroom::update, newsroom::act,
        newsroom::incidents, newsroom::create_incident, crate::newsroom::stream::stream, newsroom::search, crate::newsroom::attachments::upload, crate::newsroom::subscriptions::api_set_webhook,
    ),
    components(schemas(
        model::User, model::Unit, model::Agency, model::Status, permissions::Role,
        store::UnitInput, store::AgencyInput, store::NewUser, store::Profile, store::ApiToken,
        accounts::Registration, accounts::RegistrationReceived, accounts::StatusChange, accounts::TokenRequest, accounts::NewToken,
        audit::AuditEntry,
        nmodel::Bulletin, crate::newsroom::search::Hit, crate::newsroom::subscriptions::WebhookRequest, crate::newsroom::subscriptions::WebhookCreated, nmodel::Incident, nmodel::State, nmodel::Version,
        nstore::BulletinInput, nstore::ActionInput, nstore::IncidentInput,
    )),
    modifiers(&BearerAuth, &CommonErrors),
    tags((name = "accounts", description = "Units, press agencies, accounts, accreditation, tokens"),
         (name = "audit", description = "The append-only audit log"),
         (name = "newsroom", description = "Bulletins (ninjs for readers) and their publication workflow")),
)]
pub struct ApiDoc;

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
/// a signed-in user 403.
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

pub async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}
