//! A browser: a cookie jar, no automatic redirects, CSRF tokens read from the forms.

use std::time::Duration;

use reqwest::redirect::Policy;
use reqwest::{Response, StatusCode};

/// A browser: a cookie jar, no automatic redirects, CSRF tokens read from the forms.
pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
}

pub fn csrf_of(html: &str) -> Option<String> {
    let re = regex::Regex::new(r#"name="_csrf" value="([^"]+)""#).ok()?;
    re.captures(html).map(|c| c[1].to_string())
}

impl Browser {
    pub fn new(base: &str) -> Browser {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .pool_max_idle_per_host(0)
            .redirect(Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("http client");
        Browser {
            client,
            base: base.to_string(),
        }
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .expect("GET")
    }

    pub async fn text(&self, path: &str) -> (StatusCode, String) {
        let r = self.get(path).await;
        let s = r.status();
        (s, r.text().await.unwrap_or_default())
    }

    /// The CSRF token of the form on `page`.
    pub async fn csrf(&self, page: &str) -> String {
        let (status, html) = self.text(page).await;
        csrf_of(&html).unwrap_or_else(|| panic!("no CSRF token on {page} ({status})"))
    }

    /// Posts a form with the CSRF token taken from `page`.
    pub async fn submit(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.csrf(page).await;
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("_csrf", &token));
        self.client
            .post(format!("{}{}", self.base, action))
            .form(&form)
            .send()
            .await
            .expect("POST")
    }

    /// Posts a form with an explicit (or no) CSRF token.
    pub async fn post_raw(&self, action: &str, fields: &[(&str, &str)]) -> Response {
        self.client
            .post(format!("{}{}", self.base, action))
            .form(fields)
            .send()
            .await
            .expect("POST")
    }

    pub async fn login(&self, username: &str, password: &str) {
        let r = self
            .submit(
                "/login",
                "/login",
                &[
                    ("username", username),
                    ("password", password),
                    ("next", "/"),
                ],
            )
            .await;
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "login of {username} failed: {}",
            r.text().await.unwrap_or_default()
        );
    }

    /// Creates an API token on the profile page and returns its secret.
    pub async fn create_token(&self, name: &str) -> String {
        let r = self
            .submit("/profile", "/profile/tokens", &[("name", name)])
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let html = r.text().await.unwrap_or_default();
        let re = regex::Regex::new(r"<code>(keng_[A-Za-z0-9_-]+)</code>").expect("regex");
        re.captures(&html)
            .map(|c| c[1].to_string())
            .expect("token shown once on the profile page")
    }
}
