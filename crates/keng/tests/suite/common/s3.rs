//! A real S3-compatible server on loopback for the blob store's tests: moto's server mode
//! (PyPI `moto[server]`, installed by scripts/test-deps), on a free port, with one bucket.
//! It keeps objects in memory and dies with the test ([`S3Server`]'s drop kills it).

use std::process::{Child, Command, Stdio};

pub struct S3Server {
    child: Child,
    pub endpoint: String,
    pub bucket: String,
}

/// A port nobody listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on loopback")
}

impl S3Server {
    /// Starts moto on a free port and creates the bucket `keng`.
    pub async fn start() -> S3Server {
        let port = free_port();
        let child = Command::new("python3")
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 -m moto.server (scripts/test-deps installs moto[server])");
        let endpoint = format!("http://127.0.0.1:{port}");
        let s = S3Server {
            child,
            endpoint,
            bucket: "keng".into(),
        };
        let client = reqwest::Client::new();
        for _ in 0..200 {
            if let Ok(r) = client
                .put(format!("{}/{}", s.endpoint, s.bucket))
                .send()
                .await
            {
                if r.status().is_success() {
                    return s;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the S3 server (moto) did not start on {}", s.endpoint);
    }

    /// keng.toml lines that put files in this server's bucket.
    pub fn toml(&self) -> String {
        format!(
            "[files]\nstore = \"s3\"\n[files.s3]\nbucket = \"{}\"\nendpoint = \"{}\"\nregion = \"us-east-1\"\nprefix = \"keng-test\"\naccess_key_id = \"test\"\nsecret_access_key = \"test\"\ntimeout_secs = 5\n",
            self.bucket, self.endpoint
        )
    }

    /// Stops the server (a store that went down).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.kill();
    }
}
