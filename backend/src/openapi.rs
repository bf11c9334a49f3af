//! The OpenAPI document, generated from the handlers' annotations. `openapi.yaml` at the
//! repository root is this document, written by the `gen-openapi` binary and checked by a test.

use actix_web::App;
use utoipa::{
    openapi::{
        schema::{Schema, SchemaType, Type},
        security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
        OpenApi as OpenApiDocument, RefOr,
    },
    Modify, OpenApi,
};
use utoipa_actix_web::{scope, AppExt};

use crate::{auth::session::cookie_name, error::Problem, routes};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Pipedrive → Brevo Sync",
        description = "Mirrors Pipedrive person filters and syncs each into a Brevo contact list, \
                       recording every sync job. Errors are RFC 9457 problem documents \
                       (`application/problem+json`) with a stable `code`. Sign in with \
                       `POST /api/auth/login`; the session cookie authenticates everything else.",
        license(name = "MIT")
    ),
    tags(
        (name = "auth", description = "Sign-in and sessions"),
        (name = "filters", description = "Pipedrive person filters"),
        (name = "sync-jobs", description = "Recorded sync jobs"),
        (name = "field-mapping", description = "Which Pipedrive person fields fill which Brevo attributes"),
        (name = "alerts", description = "Alerts to a chat webhook when a filter's syncs fail or recover"),
        (name = "webhooks", description = "Deliveries from Pipedrive's person webhook"),
        (name = "usage", description = "Upstream API use per day and the Pipedrive budget"),
        (name = "meta", description = "Health and this document"),
    ),
    components(schemas(Problem)),
    modifiers(&SessionCookie)
)]
struct ApiDoc;

struct SessionCookie;

impl Modify for SessionCookie {
    fn modify(&self, openapi: &mut OpenApiDocument) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                cookie_name(false),
                "Set by POST /api/auth/login (named __Host-pbs_session when SECURE_COOKIE is on).",
            ))),
        );
        components.add_security_scheme(
            "pipedrive_webhook_auth",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Basic)
                    .description(Some(
                        "The user and password the service registered its Pipedrive webhook with.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The whole document: the base above plus every path registered by [`routes::configure_api`].
pub fn document() -> OpenApiDocument {
    let mut document = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(scope::scope("/api").configure(routes::configure_api))
        .split_for_parts()
        .1;
    plain_optional_bodies(&mut document);
    document
}

/// An optional body (`request_body = Option<T>`) comes out as `oneOf: [null, T]`; it is `T`
/// in a body that is not required. Generated clients then leave it out instead of sending
/// `null` (openapi-python-client cannot encode its "unset" for the `oneOf`).
fn plain_optional_bodies(document: &mut OpenApiDocument) {
    let operations = document.paths.paths.values_mut().flat_map(|item| {
        [&mut item.post, &mut item.put, &mut item.patch]
            .into_iter()
            .flatten()
    });
    for operation in operations {
        let Some(body) = operation
            .request_body
            .as_mut()
            .filter(|b| b.required.is_none())
        else {
            continue;
        };
        for content in body.content.values_mut() {
            if let Some(RefOr::T(Schema::OneOf(one_of))) = &content.schema {
                let mut others = one_of.items.iter().filter(|item| !is_null(item));
                if let (Some(only), None) = (others.next(), others.next()) {
                    content.schema = Some(only.clone());
                }
            }
        }
    }
}

fn is_null(schema: &RefOr<Schema>) -> bool {
    matches!(schema, RefOr::T(Schema::Object(object)) if object.schema_type == SchemaType::Type(Type::Null))
}

/// The committed form: YAML, ending in a newline.
pub fn to_yaml(document: &OpenApiDocument) -> String {
    let mut yaml = document
        .to_yaml()
        .expect("an OpenAPI document always serialises");
    if !yaml.ends_with('\n') {
        yaml.push('\n');
    }
    yaml
}
