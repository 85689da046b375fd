//! AWS SDK clients for a running server: IAM, STS, Organizations and Service Quotas,
//! signing with long-term keys or with temporary credentials. Every client talks to the
//! server's endpoint in `us-east-1` unless told otherwise; requests the SDKs never send
//! are in `requests`.

use aws_credential_types::Credentials;

use super::credentials::Keys;
use super::server::Server;

impl Server {
    /// An IAM client signing with `keys`.
    pub fn iam(&self, keys: &Keys) -> aws_sdk_iam::Client {
        let config = aws_sdk_iam::Config::builder()
            .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
            .region(aws_sdk_iam::config::Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .credentials_provider(credentials(keys))
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .build();
        aws_sdk_iam::Client::from_conf(config)
    }

    /// An STS client signing with `keys`.
    pub fn sts(&self, keys: &Keys) -> aws_sdk_sts::Client {
        let config = aws_sdk_sts::Config::builder()
            .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
            .region(aws_sdk_sts::config::Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .credentials_provider(credentials(keys))
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .build();
        aws_sdk_sts::Client::from_conf(config)
    }

    /// An IAM client signing with temporary credentials.
    pub fn iam_with_token(&self, keys: &Keys, token: &str) -> aws_sdk_iam::Client {
        let config = aws_sdk_iam::Config::builder()
            .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
            .region(aws_sdk_iam::config::Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .credentials_provider(Credentials::new(
                &keys.id,
                &keys.secret,
                Some(token.to_owned()),
                None,
                "session",
            ))
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .build();
        aws_sdk_iam::Client::from_conf(config)
    }

    /// An STS client signing with temporary credentials.
    pub fn sts_with_token(&self, keys: &Keys, token: &str) -> aws_sdk_sts::Client {
        let config = aws_sdk_sts::Config::builder()
            .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
            .region(aws_sdk_sts::config::Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .credentials_provider(Credentials::new(
                &keys.id,
                &keys.secret,
                Some(token.to_owned()),
                None,
                "session",
            ))
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .build();
        aws_sdk_sts::Client::from_conf(config)
    }

    /// An Organizations client signing with `keys`.
    pub fn organizations(&self, keys: &Keys) -> aws_sdk_organizations::Client {
        self.organizations_in(keys, "us-east-1")
    }

    /// An Organizations client signing with `keys` for `region` (and so its partition).
    pub fn organizations_in(&self, keys: &Keys, region: &str) -> aws_sdk_organizations::Client {
        let config = aws_sdk_organizations::Config::builder()
            .behavior_version(aws_sdk_organizations::config::BehaviorVersion::latest())
            .region(aws_sdk_organizations::config::Region::new(
                region.to_owned(),
            ))
            .endpoint_url(&self.endpoint)
            .credentials_provider(credentials(keys))
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .build();
        aws_sdk_organizations::Client::from_conf(config)
    }

    /// An Organizations client signing with temporary credentials.
    pub fn organizations_with_token(
        &self,
        keys: &Keys,
        token: &str,
    ) -> aws_sdk_organizations::Client {
        let config = aws_sdk_organizations::Config::builder()
            .behavior_version(aws_sdk_organizations::config::BehaviorVersion::latest())
            .region(aws_sdk_organizations::config::Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .credentials_provider(Credentials::new(
                &keys.id,
                &keys.secret,
                Some(token.to_owned()),
                None,
                "session",
            ))
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .build();
        aws_sdk_organizations::Client::from_conf(config)
    }

    /// A Service Quotas client signing with `keys`.
    pub fn quotas(&self, keys: &Keys) -> aws_sdk_servicequotas::Client {
        let config = aws_sdk_servicequotas::Config::builder()
            .behavior_version(aws_sdk_servicequotas::config::BehaviorVersion::latest())
            .region(aws_sdk_servicequotas::config::Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .credentials_provider(credentials(keys))
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .build();
        aws_sdk_servicequotas::Client::from_conf(config)
    }
}

/// The SDK's form of `keys`.
pub fn credentials(keys: &Keys) -> Credentials {
    Credentials::new(&keys.id, &keys.secret, None, None, "gatehouse-test")
}
