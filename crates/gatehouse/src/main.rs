//! The `gatehouse` binary: the server and its command line.

fn main() -> anyhow::Result<()> {
    anyhow::bail!("not yet")
}
