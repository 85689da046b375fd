//! Responsibility (billing) transfers between organizations through the AWS SDK for Rust:
//! the invitation handshake, inbound and outbound views, accepting, declining, canceling,
//! renaming and withdrawing, with AWS's errors; and the `ParentHandshakeId` filter of the
//! handshake listings. Dev mode lets 12-digit key ids act as other accounts' roots.

use aws_sdk_organizations::error::ProvideErrorMetadata;
use aws_sdk_organizations::primitives::DateTime;
use aws_sdk_organizations::types::{
    ActionType, HandshakeFilter, HandshakeParty, HandshakePartyType, HandshakeResourceType,
    HandshakeState, OrganizationFeatureSet, ResponsibilityTransferStatus,
    ResponsibilityTransferType, Tag,
};
use time::{Date, Month, OffsetDateTime};

use super::support::credentials::{account_of, dev_root};
use super::support::organizations::create_member;
use super::support::server::Server;

/// The first instant of the month `months` after the current one, in seconds.
fn month_start(months: i32) -> i64 {
    let now = OffsetDateTime::now_utc();
    let index = now.year() * 12 + i32::from(u8::from(now.month())) - 1 + months;
    let month = Month::try_from(u8::try_from(index.rem_euclid(12) + 1).unwrap()).unwrap();
    Date::from_calendar_date(index.div_euclid(12), month, 1)
        .unwrap()
        .midnight()
        .assume_utc()
        .unix_timestamp()
}

fn party(id: &str, kind: HandshakePartyType) -> HandshakeParty {
    HandshakeParty::builder()
        .id(id)
        .r#type(kind)
        .build()
        .unwrap()
}

#[tokio::test]
async fn billing_transfers_move_through_their_lifecycle() {
    let server = Server::start(&["--dev"]);
    let management = server.root_keys();
    let payer = server.organizations(&management);
    let payer_account = account_of(&server, &management).await;
    payer.create_organization().send().await.unwrap();
    let (source_account, third_account) = ("222222222222", "333333333333");
    let source = server.organizations(&dev_root(source_account));
    source.create_organization().send().await.unwrap();
    let third = server.organizations(&dev_root(third_account));
    third.create_organization().send().await.unwrap();
    let next_month = DateTime::from_secs(month_start(1));

    let invite = |target: HandshakeParty, start: DateTime| {
        payer
            .invite_organization_to_transfer_responsibility()
            .r#type(ResponsibilityTransferType::Billing)
            .target(target)
            .start_timestamp(start)
            .source_name("pay for source")
    };

    // Input AWS refuses: a start that is not the first instant of a month, a month
    // already past, an organization as the target, the inviter itself.
    for (start, reason) in [
        (month_start(1) + 86_400, "first day of the month"),
        (month_start(1) + 60, "beginning of the day"),
        (month_start(-1), "too early"),
        (month_start(14), "too late"),
    ] {
        let err = invite(
            party(source_account, HandshakePartyType::Account),
            DateTime::from_secs(start),
        )
        .send()
        .await
        .unwrap_err();
        assert_eq!(err.code(), Some("InvalidInputException"), "{reason}");
        assert!(err.message().unwrap().contains(reason), "{err:?}");
    }
    let err = invite(
        party("o-abcdefghij", HandshakePartyType::Organization),
        next_month,
    )
    .send()
    .await
    .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInputException"));
    for bad in [
        party("12345", HandshakePartyType::Account),
        party("not-an-email", HandshakePartyType::Email),
    ] {
        let err = invite(bad, next_month).send().await.unwrap_err();
        assert_eq!(err.code(), Some("InvalidInputException"), "{err:?}");
    }
    let err = invite(
        party(&payer_account, HandshakePartyType::Account),
        next_month,
    )
    .send()
    .await
    .unwrap_err();
    assert_eq!(err.code(), Some("HandshakeConstraintViolationException"));

    // The invitation: a TRANSFER_RESPONSIBILITY handshake naming the transfer.
    let sent = invite(
        party(source_account, HandshakePartyType::Account),
        next_month,
    )
    .notes("we pay from next month")
    .tags(Tag::builder().key("team").value("finance").build().unwrap())
    .send()
    .await
    .unwrap();
    let handshake = sent.handshake().unwrap();
    assert_eq!(
        handshake.action(),
        Some(&ActionType::TransferResponsibility)
    );
    assert_eq!(handshake.state(), Some(&HandshakeState::Open));
    assert!(handshake
        .arn()
        .unwrap()
        .contains("/transfer_responsibility/h-"));
    let handshake_id = handshake.id().unwrap().to_owned();
    let resource = |kind: HandshakeResourceType| {
        handshake
            .resources()
            .iter()
            .find(|r| r.r#type() == Some(&kind))
            .and_then(|r| r.value())
            .map(str::to_owned)
    };
    let transfer_id = resource(HandshakeResourceType::ResponsibilityTransfer).unwrap();
    assert!(transfer_id.starts_with("rt-"), "{transfer_id}");
    assert_eq!(
        resource(HandshakeResourceType::TransferType).as_deref(),
        Some("BILLING")
    );
    assert!(resource(HandshakeResourceType::TransferStartTimestamp).is_some());
    let err = invite(
        party(source_account, HandshakePartyType::Account),
        next_month,
    )
    .send()
    .await
    .unwrap_err();
    assert_eq!(err.code(), Some("DuplicateHandshakeException"));

    // The inviter sees it inbound, with its name; the invited side outbound, without.
    let inbound = payer
        .list_inbound_responsibility_transfers()
        .r#type(ResponsibilityTransferType::Billing)
        .send()
        .await
        .unwrap();
    let listed = inbound.responsibility_transfers();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id(), Some(transfer_id.as_str()));
    assert_eq!(listed[0].name(), Some("pay for source"));
    assert_eq!(
        listed[0].status(),
        Some(&ResponsibilityTransferStatus::Requested)
    );
    assert!(listed[0].arn().unwrap().contains("/billing/inbound/rt-"));
    assert_eq!(
        listed[0].target().unwrap().management_account_id(),
        Some(payer_account.as_str())
    );
    assert_eq!(
        listed[0].source().unwrap().management_account_id(),
        Some(source_account)
    );
    assert_eq!(listed[0].start_timestamp(), Some(&next_month));
    assert_eq!(listed[0].active_handshake_id(), Some(handshake_id.as_str()));
    let outbound = source
        .list_outbound_responsibility_transfers()
        .r#type(ResponsibilityTransferType::Billing)
        .send()
        .await
        .unwrap();
    let theirs = &outbound.responsibility_transfers()[0];
    assert_eq!(theirs.id(), Some(transfer_id.as_str()));
    assert_eq!(theirs.name(), None);
    assert!(theirs.arn().unwrap().contains("/billing/outbound/rt-"));
    assert!(third
        .list_outbound_responsibility_transfers()
        .r#type(ResponsibilityTransferType::Billing)
        .send()
        .await
        .unwrap()
        .responsibility_transfers()
        .is_empty());
    let err = payer
        .list_inbound_responsibility_transfers()
        .r#type(ResponsibilityTransferType::Billing)
        .id("rt-doesnotexist")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ResponsibilityTransferNotFoundException"));
    // Only the parties can read it; tags given with the invitation stay with the inviter.
    let err = third
        .describe_responsibility_transfer()
        .id(&transfer_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ResponsibilityTransferNotFoundException"));
    let tags = payer
        .list_tags_for_resource()
        .resource_id(&transfer_id)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags()[0].key(), "team");
    // Nothing to withdraw before it is accepted.
    let err = payer
        .terminate_responsibility_transfer()
        .id(&transfer_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some("InvalidResponsibilityTransferTransitionException")
    );

    // A member account of the invited organization cannot accept for it.
    let member = create_member(&source, "member", "member@example.com").await;
    let member_orgs = server.organizations(&dev_root(&member));
    let err = member_orgs
        .list_outbound_responsibility_transfers()
        .r#type(ResponsibilityTransferType::Billing)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDeniedException"));

    // Only a management account accepts: a standalone account has no organization to
    // hand over.
    let loner = "444444444444";
    let loner_orgs = server.organizations(&dev_root(loner));
    let lonely = invite(party(loner, HandshakePartyType::Account), next_month)
        .send()
        .await
        .unwrap();
    let err = loner_orgs
        .accept_handshake()
        .handshake_id(lonely.handshake().unwrap().id().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AWSOrganizationsNotInUseException"));
    payer
        .cancel_handshake()
        .handshake_id(lonely.handshake().unwrap().id().unwrap())
        .send()
        .await
        .unwrap();

    let accepted = source
        .accept_handshake()
        .handshake_id(&handshake_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        accepted.handshake().unwrap().state(),
        Some(&HandshakeState::Accepted)
    );
    let described = source
        .describe_responsibility_transfer()
        .id(&transfer_id)
        .send()
        .await
        .unwrap();
    let transfer = described.responsibility_transfer().unwrap();
    assert_eq!(
        transfer.status(),
        Some(&ResponsibilityTransferStatus::Accepted)
    );
    assert_eq!(transfer.end_timestamp(), None);
    // The organization cannot go while its bill is paid elsewhere; nobody else may
    // take it over meanwhile.
    member_orgs.leave_organization().send().await.unwrap();
    let err = source.delete_organization().send().await.unwrap_err();
    assert_eq!(err.code(), Some("ConstraintViolationException"));
    let err = third
        .invite_organization_to_transfer_responsibility()
        .r#type(ResponsibilityTransferType::Billing)
        .target(party(source_account, HandshakePartyType::Account))
        .start_timestamp(next_month)
        .source_name("take over")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("HandshakeConstraintViolationException"));

    // Each side tags the transfer for itself.
    source
        .tag_resource()
        .resource_id(&transfer_id)
        .tags(
            Tag::builder()
                .key("payer")
                .value("finance")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let theirs = source
        .list_tags_for_resource()
        .resource_id(&transfer_id)
        .send()
        .await
        .unwrap();
    assert_eq!(theirs.tags().len(), 1);
    assert_eq!(theirs.tags()[0].key(), "payer");
    let err = third
        .list_tags_for_resource()
        .resource_id(&transfer_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("TargetNotFoundException"));

    // The name belongs to the inbound side.
    let renamed = payer
        .update_responsibility_transfer()
        .id(&transfer_id)
        .name("source billing")
        .send()
        .await
        .unwrap();
    assert_eq!(
        renamed.responsibility_transfer().unwrap().name(),
        Some("source billing")
    );
    let err = source
        .update_responsibility_transfer()
        .id(&transfer_id)
        .name("mine")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDeniedException"));

    // Either side withdraws it, at the end of a month.
    let err = source
        .terminate_responsibility_transfer()
        .id(&transfer_id)
        .end_timestamp(DateTime::from_secs(month_start(2) - 86_400))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInputException"));
    let end = DateTime::from_millis(month_start(2) * 1000 - 1);
    let withdrawn = source
        .terminate_responsibility_transfer()
        .id(&transfer_id)
        .end_timestamp(end)
        .send()
        .await
        .unwrap();
    let transfer = withdrawn.responsibility_transfer().unwrap();
    assert_eq!(
        transfer.status(),
        Some(&ResponsibilityTransferStatus::Withdrawn)
    );
    let ended = transfer.end_timestamp().unwrap().to_millis().unwrap();
    assert!((ended - (month_start(2) * 1000 - 1)).abs() <= 1, "{ended}");
    let err = payer
        .terminate_responsibility_transfer()
        .id(&transfer_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some("ResponsibilityTransferAlreadyInStatusException")
    );
    let listed = payer
        .describe_responsibility_transfer()
        .id(&transfer_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        listed.responsibility_transfer().unwrap().status(),
        Some(&ResponsibilityTransferStatus::Withdrawn)
    );

    // Declined and canceled invitations (by email this time) follow their handshakes.
    let third_email = format!("root+{third_account}@gatehouse.invalid");
    let declined = invite(party(&third_email, HandshakePartyType::Email), next_month)
        .send()
        .await
        .unwrap();
    let declined_id = declined.handshake().unwrap().id().unwrap().to_owned();
    let outbound = third
        .list_outbound_responsibility_transfers()
        .r#type(ResponsibilityTransferType::Billing)
        .send()
        .await
        .unwrap();
    let declined_transfer = outbound.responsibility_transfers()[0]
        .id()
        .unwrap()
        .to_owned();
    third
        .decline_handshake()
        .handshake_id(&declined_id)
        .send()
        .await
        .unwrap();
    let canceled = invite(party(&third_email, HandshakePartyType::Email), next_month)
        .send()
        .await
        .unwrap();
    let canceled_id = canceled.handshake().unwrap().id().unwrap().to_owned();
    payer
        .cancel_handshake()
        .handshake_id(&canceled_id)
        .send()
        .await
        .unwrap();
    let all = payer
        .list_inbound_responsibility_transfers()
        .r#type(ResponsibilityTransferType::Billing)
        .send()
        .await
        .unwrap();
    let statuses: Vec<_> = all
        .responsibility_transfers()
        .iter()
        .map(|t| (t.id().unwrap().to_owned(), t.status().cloned()))
        .collect();
    assert_eq!(statuses.len(), 4, "{statuses:?}");
    assert!(statuses.contains(&(
        declined_transfer.clone(),
        Some(ResponsibilityTransferStatus::Declined)
    )));
    assert!(statuses
        .iter()
        .any(|(_, status)| status == &Some(ResponsibilityTransferStatus::Canceled)));
    let err = third
        .terminate_responsibility_transfer()
        .id(&declined_transfer)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some("InvalidResponsibilityTransferTransitionException")
    );
}

#[tokio::test]
async fn handshake_listings_filter_by_parent_handshake() {
    let server = Server::start(&["--dev"]);
    let management = server.root_keys();
    let orgs = server.organizations(&management);
    orgs.create_organization()
        .feature_set(OrganizationFeatureSet::ConsolidatedBilling)
        .send()
        .await
        .unwrap();
    let first = create_member(&orgs, "first", "first@example.com").await;
    create_member(&orgs, "second", "second@example.com").await;
    let enabled = orgs.enable_all_features().send().await.unwrap();
    let parent = enabled.handshake().unwrap().id().unwrap().to_owned();

    let by_parent = |id: &str| {
        orgs.list_handshakes_for_organization()
            .filter(HandshakeFilter::builder().parent_handshake_id(id).build())
            .send()
    };
    let children = by_parent(&parent).await.unwrap();
    assert_eq!(children.handshakes().len(), 2);
    for child in children.handshakes() {
        assert_eq!(child.action(), Some(&ActionType::ApproveAllFeatures));
        let named = child.resources().iter().any(|r| {
            r.r#type() == Some(&HandshakeResourceType::ParentHandshake)
                && r.value() == Some(parent.as_str())
        });
        assert!(named, "{child:?}");
    }
    assert!(by_parent("h-abcdefghij")
        .await
        .unwrap()
        .handshakes()
        .is_empty());
    let err = orgs
        .list_handshakes_for_organization()
        .filter(
            HandshakeFilter::builder()
                .parent_handshake_id(&parent)
                .action_type(ActionType::ApproveAllFeatures)
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInputException"));

    // The member sees its own approval under the same parent.
    let member = server.organizations(&dev_root(&first));
    let mine = member
        .list_handshakes_for_account()
        .filter(
            HandshakeFilter::builder()
                .parent_handshake_id(&parent)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(mine.handshakes().len(), 1);
    let err = member
        .list_handshakes_for_account()
        .filter(
            HandshakeFilter::builder()
                .parent_handshake_id(&parent)
                .action_type(ActionType::InviteAccountToOrganization)
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInputException"));
}
