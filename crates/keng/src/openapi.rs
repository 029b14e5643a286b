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
        newsroom::incidents, newsroom::create_incident, crate::newsroom::stream::stream, newsroom::search, crate::newsroom::attachments::upload, crate::newsroom::press::api_set_webhook,
    ),
    components(schemas(
        model::User, model::Unit, model::Agency, model::Status, permissions::Role,
        store::UnitInput, store::AgencyInput, store::NewUser, store::Profile, store::ApiToken,
        accounts::Registration, accounts::RegistrationReceived, accounts::StatusChange, accounts::TokenRequest, accounts::NewToken,
        audit::AuditEntry,
        nmodel::Bulletin, crate::newsroom::search::Hit, crate::newsroom::press::WebhookRequest, crate::newsroom::press::WebhookCreated, nmodel::Incident, nmodel::State, nmodel::Version,
        nstore::BulletinInput, nstore::ActionInput, nstore::IncidentInput,
    )),
    modifiers(&BearerAuth),
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

pub async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}
