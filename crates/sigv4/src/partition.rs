//! Which AWS partition a region belongs to, by the region-name prefixes AWS uses.

/// The partition (`aws`, `aws-cn`, `aws-us-gov`, ...) that `region` belongs to.
///
/// Decided by prefix, so regions launched later in a known partition are placed right;
/// anything unrecognised is `aws`. The pseudo regions `aws-global`, `aws-cn-global`, ...
/// map to their partition too.
pub fn partition_for_region(region: &str) -> &'static str {
    const PREFIXES: [(&str, &str); 7] = [
        ("cn-", "aws-cn"),
        ("us-gov-", "aws-us-gov"),
        ("us-iso-", "aws-iso"),
        ("us-isob-", "aws-iso-b"),
        ("eu-isoe-", "aws-iso-e"),
        ("us-isof-", "aws-iso-f"),
        ("eusc-", "aws-eusc"),
    ];
    const GLOBAL: [&str; 8] = [
        "aws-cn",
        "aws-us-gov",
        "aws-iso-b",
        "aws-iso-e",
        "aws-iso-f",
        "aws-iso",
        "aws-eusc",
        "aws",
    ];
    if let Some(partition) = region.strip_suffix("-global") {
        if let Some(known) = GLOBAL.iter().find(|p| **p == partition) {
            return known;
        }
    }
    PREFIXES
        .iter()
        .find(|(prefix, _)| region.starts_with(prefix))
        .map_or("aws", |(_, partition)| partition)
}

#[cfg(test)]
mod tests {
    use super::partition_for_region;

    #[test]
    fn maps_regions_to_partitions() {
        for (region, partition) in [
            ("us-east-1", "aws"),
            ("eu-west-3", "aws"),
            ("aws-global", "aws"),
            ("cn-north-1", "aws-cn"),
            ("cn-northwest-1", "aws-cn"),
            ("aws-cn-global", "aws-cn"),
            ("us-gov-west-1", "aws-us-gov"),
            ("aws-us-gov-global", "aws-us-gov"),
            ("us-iso-east-1", "aws-iso"),
            ("us-isob-east-1", "aws-iso-b"),
            ("aws-iso-b-global", "aws-iso-b"),
            ("eu-isoe-west-1", "aws-iso-e"),
            ("us-isof-south-1", "aws-iso-f"),
            ("eusc-de-east-1", "aws-eusc"),
            ("", "aws"),
            ("nonsense", "aws"),
        ] {
            assert_eq!(partition_for_region(region), partition, "{region}");
        }
    }
}
