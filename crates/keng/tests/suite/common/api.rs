//! An API client with a Bearer token, and lookups of demo records by their code.

use reqwest::StatusCode;

/// An API client with an optional Bearer token.
#[derive(Clone)]
pub struct Api {
    pub client: reqwest::Client,
    pub base: String,
    pub token: Option<String>,
}

impl Api {
    fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut r = self
            .client
            .request(method, format!("{}{}", self.base, path));
        if let Some(t) = &self.token {
            r = r.bearer_auth(t);
        }
        r
    }

    async fn fetch(&self, path: &str) -> reqwest::Response {
        self.req(reqwest::Method::GET, path)
            .send()
            .await
            .expect("GET")
    }

    pub async fn get(&self, path: &str) -> (StatusCode, serde_json::Value) {
        let r = self.fetch(path).await;
        (
            r.status(),
            r.json().await.unwrap_or(serde_json::Value::Null),
        )
    }

    /// A page (or any text answer) and its status.
    pub async fn get_text(&self, path: &str) -> (StatusCode, String) {
        let r = self.fetch(path).await;
        (r.status(), r.text().await.unwrap_or_default())
    }

    /// A file's bytes, its status and its content type.
    pub async fn get_bytes(&self, path: &str) -> (StatusCode, String, Vec<u8>) {
        let r = self.fetch(path).await;
        let ct = r
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (
            r.status(),
            ct,
            r.bytes().await.map(|b| b.to_vec()).unwrap_or_default(),
        )
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &serde_json::Value,
    ) -> (StatusCode, serde_json::Value) {
        let r = self
            .req(method, path)
            .json(body)
            .send()
            .await
            .expect("request");
        let s = r.status();
        (s, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn post(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> (StatusCode, serde_json::Value) {
        self.send(reqwest::Method::POST, path, body).await
    }
}

/// The id of the demo account or agency etc. found through the API.
pub async fn user_id(api: &Api, username: &str) -> String {
    let (s, users) = api.get("/api/v1/users").await;
    assert_eq!(s, StatusCode::OK);
    users
        .as_array()
        .and_then(|a| a.iter().find(|u| u["username"] == username))
        .and_then(|u| u["id"].as_str())
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no user {username}"))
}

pub async fn agency_id(api: &Api, code: &str) -> String {
    let (_, agencies) = api.get("/api/v1/agencies").await;
    agencies
        .as_array()
        .and_then(|a| a.iter().find(|x| x["code"] == code))
        .and_then(|x| x["id"].as_str())
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no agency {code}"))
}
