//! Gatehouse's generator: botocore service models in, committed Rust wire types out.

fn main() -> anyhow::Result<()> {
    anyhow::bail!("the generator is not written yet")
}
