//! The baseline for `bench/load.sh`: an axum server that answers every request with a
//! fixed body, on the same runtime settings as `gatehouse serve`.

use axum::Router;

const BODY: &str =
    "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:root</Arn><UserId>123456789012</UserId>\
<Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>\
00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata></GetCallerIdentityResponse>";

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:4590".to_owned());
    let app = Router::new().fallback(|| async { BODY });
    let listener = tokio::net::TcpListener::bind(&address).await?;
    println!(
        "trivial server listening on http://{}",
        listener.local_addr()?
    );
    axum::serve(listener, app).await
}
