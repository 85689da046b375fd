//! Feeds arbitrary bytes to every entry point that takes untrusted text: policy parsing for
//! every kind, printing and re-parsing, compiling and evaluating, and the JSON-lines
//! evaluate and validate functions. Any panic is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policy::{
    evaluate, offline, CompiledPolicy, EvaluationInput, PolicyDocument, PolicyKind, Principal,
    PrincipalKind, Request,
};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = offline::evaluate_line(text);
    for kind in PolicyKind::ALL {
        let _ = offline::validate_report(text, kind);
        let Ok(doc) = PolicyDocument::parse(text, kind) else {
            continue;
        };
        let printed = doc.to_json();
        let again = PolicyDocument::parse(&printed, kind);
        assert_eq!(again.as_ref(), Ok(&doc), "print/parse changed {printed}");
        let policy = CompiledPolicy::new("fuzz", doc, kind);
        let mut principal = Principal::new(
            PrincipalKind::AssumedRole,
            "arn:aws:sts::111111111111:assumed-role/R/s",
            "111111111111",
        );
        principal.underlying_arn = Some("arn:aws:iam::111111111111:role/R".into());
        principal.tags.push(("team".into(), "red".into()));
        let request = Request::new(principal, "s3:GetObject", "arn:aws:s3:::b/k:x")
            .with_resource_account("222222222222")
            .with_context("aws:SourceIp", "203.0.113.9")
            .with_context("aws:CurrentTime", "2026-01-01T00:00:00Z")
            .with_context("aws:TagKeys", vec!["a".to_owned(), "b".to_owned()]);
        let policies = [
            policy.clone(),
            CompiledPolicy::combine("view", kind, &[policy.clone(), policy.clone()]),
        ];
        let levels = [vec![policy.clone()]];
        let input = EvaluationInput {
            identity: &policies,
            boundary: Some(&policy),
            session: &policies,
            scp_levels: &levels,
            rcp_levels: &levels,
            resource: Some(&policy),
            all_matches: true,
            ..Default::default()
        };
        let decision = evaluate(&input, &request);
        let _ = policy::access_denied_message(&decision, &request);
    }
});
