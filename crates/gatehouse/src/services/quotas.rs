//! Service Quotas: the quotas Gatehouse enforces (today one: the number of accounts in
//! an organization) and requests to raise them. Requests up to
//! `--quota-auto-approve-max` are approved at once; the rest wait for the operator's
//! `gatehouse quota approve|deny`, which calls [`decide`].

use wire::service_quotas::{
    errors, GetAWSDefaultServiceQuotaResponse, GetRequestedServiceQuotaChangeRequest,
    GetRequestedServiceQuotaChangeResponse, GetServiceQuotaResponse,
    ListAWSDefaultServiceQuotasResponse, ListRequestedServiceQuotaChangeHistoryByQuotaRequest,
    ListRequestedServiceQuotaChangeHistoryByQuotaResponse,
    ListRequestedServiceQuotaChangeHistoryRequest, ListRequestedServiceQuotaChangeHistoryResponse,
    ListServiceQuotasResponse, ListServicesRequest, ListServicesResponse, Operation, Output,
    RequestServiceQuotaIncreaseRequest, RequestServiceQuotaIncreaseResponse, RequestStatus,
    RequestedServiceQuotaChange, ServiceInfo, ServiceQuota,
};
use wire::ServiceError;

use super::{Api, Needs};
use crate::app::App;
use crate::auth::authorize::{Access, Denied};
use crate::store::{from_millis, now_millis, LazyTx, QuotaRequestRecord, Store, StoreError, Tx};

use crate::request::RequestContext;

/// The one service with quotas today.
const ORGANIZATIONS: &str = "organizations";
const ORGANIZATIONS_NAME: &str = "AWS Organizations";
/// "Default maximum number of accounts": the code listed and under which values are kept.
const ACCOUNTS_QUOTA: &str = "L-29A0C5DF";
/// Another code AWS documents for the same quota; answers too, but is not listed.
const ACCOUNTS_QUOTA_ALIAS: &str = "L-E619E033";
const ACCOUNTS_QUOTA_NAME: &str = "Default maximum number of accounts";

/// The quota a code names: the code as asked, resolved to the stored one.
fn resolve(service_code: &str, quota_code: &str) -> Result<&'static str, ServiceError> {
    if service_code != ORGANIZATIONS {
        return Err(errors::no_such_resource_exception(format!(
            "The request failed because the specified service {service_code} does not exist."
        )));
    }
    if quota_code == ACCOUNTS_QUOTA || quota_code == ACCOUNTS_QUOTA_ALIAS {
        Ok(ACCOUNTS_QUOTA)
    } else {
        Err(errors::no_such_resource_exception(format!(
            "The request failed because the specified quota {quota_code} does not exist."
        )))
    }
}

/// How many accounts the organization managed by `management` may hold.
pub async fn account_quota(
    app: &App,
    tx: &mut Tx,
    management: &str,
) -> Result<usize, ServiceError> {
    let value = applied_value(app, tx, management).await?;
    // Quota values are whole numbers of accounts; the float is the wire's type, and a
    // saturating cast keeps any stored value in range.
    Ok(value.max(0.0) as usize)
}

async fn applied_value(app: &App, tx: &mut Tx, account: &str) -> Result<f64, ServiceError> {
    let stored = tx
        .quota_value(account, ORGANIZATIONS, ACCOUNTS_QUOTA)
        .await?;
    Ok(stored.unwrap_or_else(|| default_value(app)))
}

fn default_value(app: &App) -> f64 {
    f64::from(app.config().default_account_quota)
}

/// Service Quotas as the pipeline runs it.
pub(crate) struct Quotas;

impl Api for Quotas {
    type Operation = Operation;
    type Output = Output;
    type Plan = ();

    /// The operation's action on its quota (the operations that name one) or on `*`;
    /// operations Gatehouse does not serve are answered `NotImplemented` before any
    /// authorization.
    async fn needs(
        _app: &App,
        _tx: &mut LazyTx<'_>,
        context: &RequestContext,
        operation: &Operation,
    ) -> Result<(Needs, ()), ServiceError> {
        let quota_arn = |service: &str, quota: &str| {
            format!(
                "arn:{}:servicequotas:{}:{}:{service}/{quota}",
                context.principal.partition, context.region, context.principal.account
            )
        };
        let resource = match operation {
            Operation::GetServiceQuota(input) => quota_arn(&input.service_code, &input.quota_code),
            Operation::RequestServiceQuotaIncrease(input) => {
                quota_arn(&input.service_code, &input.quota_code)
            }
            Operation::GetAWSDefaultServiceQuota(_)
            | Operation::ListServiceQuotas(_)
            | Operation::ListAWSDefaultServiceQuotas(_)
            | Operation::ListServices(_)
            | Operation::GetRequestedServiceQuotaChange(_)
            | Operation::ListRequestedServiceQuotaChangeHistory(_)
            | Operation::ListRequestedServiceQuotaChangeHistoryByQuota(_) => "*".to_owned(),
            other => return Err(ServiceError::not_implemented(other.name())),
        };
        Ok((Needs::one(Access::new(operation.action(), resource)), ()))
    }

    /// The authorizer speaks IAM's `AccessDenied`; Service Quotas calls it
    /// `AccessDeniedException`.
    fn refusal(denied: Denied) -> ServiceError {
        errors::access_denied_exception(denied.error.message)
    }

    async fn dispatch(
        app: &App,
        tx: &mut LazyTx<'_>,
        context: &RequestContext,
        (): (),
        operation: Operation,
    ) -> Result<Output, ServiceError> {
        let tx = tx.get().await?;
        match operation {
            Operation::GetServiceQuota(input) => {
                resolve(&input.service_code, &input.quota_code)?;
                let account = context.principal.account.to_string();
                let value = applied_value(app, tx, &account).await?;
                Ok(Output::GetServiceQuota(GetServiceQuotaResponse {
                    quota: Some(quota_to_wire(context, &input.quota_code, value)),
                }))
            }
            Operation::GetAWSDefaultServiceQuota(input) => {
                resolve(&input.service_code, &input.quota_code)?;
                Ok(Output::GetAWSDefaultServiceQuota(
                    GetAWSDefaultServiceQuotaResponse {
                        quota: Some(quota_to_wire(
                            context,
                            &input.quota_code,
                            default_value(app),
                        )),
                    },
                ))
            }
            Operation::ListServiceQuotas(input) => {
                resolve(&input.service_code, ACCOUNTS_QUOTA)?;
                let wanted = input.quota_code.as_deref();
                let account = context.principal.account.to_string();
                let value = applied_value(app, tx, &account).await?;
                let quotas = if wanted.is_none_or(|code| resolve(ORGANIZATIONS, code).is_ok()) {
                    vec![quota_to_wire(context, ACCOUNTS_QUOTA, value)]
                } else {
                    Vec::new()
                };
                Ok(Output::ListServiceQuotas(ListServiceQuotasResponse {
                    next_token: None,
                    quotas: Some(quotas),
                }))
            }
            Operation::ListAWSDefaultServiceQuotas(input) => {
                resolve(&input.service_code, ACCOUNTS_QUOTA)?;
                Ok(Output::ListAWSDefaultServiceQuotas(
                    ListAWSDefaultServiceQuotasResponse {
                        next_token: None,
                        quotas: Some(vec![quota_to_wire(
                            context,
                            ACCOUNTS_QUOTA,
                            default_value(app),
                        )]),
                    },
                ))
            }
            Operation::ListServices(ListServicesRequest { .. }) => {
                Ok(Output::ListServices(ListServicesResponse {
                    next_token: None,
                    services: Some(vec![ServiceInfo {
                        service_code: Some(ORGANIZATIONS.to_owned()),
                        service_name: Some(ORGANIZATIONS_NAME.to_owned()),
                    }]),
                }))
            }
            Operation::RequestServiceQuotaIncrease(input) => {
                handle_request_increase(app, tx, context, input)
                    .await
                    .map(Output::RequestServiceQuotaIncrease)
            }
            Operation::GetRequestedServiceQuotaChange(input) => {
                handle_get_request(tx, context, input)
                    .await
                    .map(Output::GetRequestedServiceQuotaChange)
            }
            Operation::ListRequestedServiceQuotaChangeHistory(input) => {
                handle_history(tx, context, input)
                    .await
                    .map(Output::ListRequestedServiceQuotaChangeHistory)
            }
            Operation::ListRequestedServiceQuotaChangeHistoryByQuota(input) => {
                handle_history_by_quota(tx, context, input)
                    .await
                    .map(Output::ListRequestedServiceQuotaChangeHistoryByQuota)
            }
            other => Err(ServiceError::not_implemented(other.name())),
        }
    }
}

/// Authorizes and runs one Service Quotas operation.
pub async fn call(
    app: &App,
    context: &RequestContext,
    operation: Operation,
) -> Result<Output, ServiceError> {
    super::call::<Quotas>(app, context, operation).await
}

async fn handle_request_increase(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    input: RequestServiceQuotaIncreaseRequest,
) -> Result<RequestServiceQuotaIncreaseResponse, ServiceError> {
    let code = resolve(&input.service_code, &input.quota_code)?;
    let account = context.principal.account.to_string();
    let current = applied_value(app, tx, &account).await?;
    if !input.desired_value.is_finite() || input.desired_value <= current {
        return Err(errors::illegal_argument_exception(format!(
            "The requested value {} must be greater than the current value {current}.",
            input.desired_value
        )));
    }
    let requests = tx.quota_requests(&account).await?;
    let open = requests.iter().any(|request| {
        resolve(&request.service_code, &request.quota_code).ok() == Some(code)
            && (request.status == "PENDING" || request.status == "CASE_OPENED")
    });
    if open {
        return Err(errors::resource_already_exists_exception(
            "A request for this quota is already pending. Wait for it to be resolved before you submit another.",
        ));
    }
    let auto = app
        .config()
        .quota_auto_approve_max
        .is_some_and(|max| input.desired_value <= f64::from(max));
    let now = now_millis();
    let record = QuotaRequestRecord {
        request_id: uuid::Uuid::new_v4().simple().to_string(),
        account_id: account.clone(),
        service_code: input.service_code,
        quota_code: input.quota_code,
        desired_value: input.desired_value.trunc(),
        status: if auto { "APPROVED" } else { "PENDING" }.to_owned(),
        requester: context.principal.arn(),
        created_at: now,
        updated_at: now,
    };
    tx.insert_quota_request(&record).await?;
    if auto {
        tx.set_quota_value(&account, ORGANIZATIONS, code, record.desired_value)
            .await?;
    }
    Ok(RequestServiceQuotaIncreaseResponse {
        requested_quota: Some(request_to_wire(context, &record)),
    })
}

async fn handle_get_request(
    tx: &mut Tx,
    context: &RequestContext,
    input: GetRequestedServiceQuotaChangeRequest,
) -> Result<GetRequestedServiceQuotaChangeResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let record = tx
        .quota_request(&account, &input.request_id)
        .await?
        .ok_or_else(|| {
            errors::no_such_resource_exception(format!(
                "The request failed because the specified request {} does not exist.",
                input.request_id
            ))
        })?;
    Ok(GetRequestedServiceQuotaChangeResponse {
        requested_quota: Some(request_to_wire(context, &record)),
    })
}

async fn handle_history(
    tx: &mut Tx,
    context: &RequestContext,
    input: ListRequestedServiceQuotaChangeHistoryRequest,
) -> Result<ListRequestedServiceQuotaChangeHistoryResponse, ServiceError> {
    let (requested_quotas, next_token) = history(
        tx,
        context,
        input.service_code.as_deref(),
        None,
        input.status.as_ref(),
        input.next_token.as_deref(),
        input.max_results,
    )
    .await?;
    Ok(ListRequestedServiceQuotaChangeHistoryResponse {
        next_token,
        requested_quotas: Some(requested_quotas),
    })
}

async fn handle_history_by_quota(
    tx: &mut Tx,
    context: &RequestContext,
    input: ListRequestedServiceQuotaChangeHistoryByQuotaRequest,
) -> Result<ListRequestedServiceQuotaChangeHistoryByQuotaResponse, ServiceError> {
    let code = resolve(&input.service_code, &input.quota_code)?;
    let (requested_quotas, next_token) = history(
        tx,
        context,
        Some(&input.service_code),
        Some(code),
        input.status.as_ref(),
        input.next_token.as_deref(),
        input.max_results,
    )
    .await?;
    Ok(ListRequestedServiceQuotaChangeHistoryByQuotaResponse {
        next_token,
        requested_quotas: Some(requested_quotas),
    })
}

/// The caller's requests, newest first, filtered and paged.
async fn history(
    tx: &mut Tx,
    context: &RequestContext,
    service_code: Option<&str>,
    quota: Option<&str>,
    status: Option<&RequestStatus>,
    next_token: Option<&str>,
    max_results: Option<i32>,
) -> Result<(Vec<RequestedServiceQuotaChange>, Option<String>), ServiceError> {
    let account = context.principal.account.to_string();
    let mut requests = tx.quota_requests(&account).await?;
    requests.reverse();
    let selected: Vec<_> = requests
        .into_iter()
        .filter(|request| service_code.is_none_or(|code| request.service_code == code))
        .filter(|request| {
            quota.is_none_or(|code| {
                resolve(&request.service_code, &request.quota_code).ok() == Some(code)
            })
        })
        .filter(|request| status.is_none_or(|status| status.as_str() == request.status))
        .collect();
    let start = match next_token {
        None => 0,
        Some(token) => token
            .strip_prefix("gh-page-")
            .and_then(|offset| offset.parse::<usize>().ok())
            .filter(|offset| *offset <= selected.len())
            .ok_or_else(|| {
                errors::invalid_pagination_token_exception("Invalid pagination token.")
            })?,
    };
    let size = usize::try_from(max_results.unwrap_or(20).max(1)).unwrap_or(20);
    let total = selected.len();
    let page: Vec<_> = selected
        .iter()
        .skip(start)
        .take(size)
        .map(|record| request_to_wire(context, record))
        .collect();
    let next = start + page.len();
    Ok((page, (next < total).then(|| format!("gh-page-{next}"))))
}

fn quota_to_wire(context: &RequestContext, quota_code: &str, value: f64) -> ServiceQuota {
    ServiceQuota {
        service_code: Some(ORGANIZATIONS.to_owned()),
        service_name: Some(ORGANIZATIONS_NAME.to_owned()),
        quota_arn: Some(format!(
            "arn:{}:servicequotas:{}:{}:{ORGANIZATIONS}/{quota_code}",
            context.principal.partition, context.region, context.principal.account
        )),
        quota_code: Some(quota_code.to_owned()),
        quota_name: Some(ACCOUNTS_QUOTA_NAME.to_owned()),
        value: Some(value),
        unit: Some("None".to_owned()),
        adjustable: Some(true),
        global_quota: Some(true),
        description: Some(
            "The default maximum number of accounts allowed in an organization.".to_owned(),
        ),
        ..ServiceQuota::default()
    }
}

fn request_to_wire(
    context: &RequestContext,
    record: &QuotaRequestRecord,
) -> RequestedServiceQuotaChange {
    RequestedServiceQuotaChange {
        id: Some(record.request_id.clone()),
        request_type: None,
        case_id: None,
        service_code: Some(record.service_code.clone()),
        service_name: Some(ORGANIZATIONS_NAME.to_owned()),
        quota_code: Some(record.quota_code.clone()),
        quota_name: Some(ACCOUNTS_QUOTA_NAME.to_owned()),
        desired_value: Some(record.desired_value),
        status: Some(RequestStatus::from(record.status.as_str())),
        created: Some(from_millis(record.created_at)),
        last_updated: Some(from_millis(record.updated_at)),
        requester: Some(record.requester.clone()),
        quota_arn: Some(format!(
            "arn:{}:servicequotas:{}:{}:{}/{}",
            context.principal.partition,
            context.region,
            record.account_id,
            record.service_code,
            record.quota_code
        )),
        global_quota: Some(true),
        unit: Some("None".to_owned()),
        quota_requested_at_level: None,
        quota_context: None,
    }
}

/// What the operator decided about a pending request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Apply the desired value.
    Approve,
    /// Refuse it; the quota stays.
    Deny,
}

/// Why a decision could not be recorded.
#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    /// No request has that id.
    #[error("no quota request `{0}`")]
    NotFound(String),
    /// The request is no longer pending.
    #[error("quota request `{0}` is already {1}")]
    NotPending(String, String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Approves or denies a pending request (the `gatehouse quota` admin command); on
/// approval the account's quota becomes the desired value. Returns the updated request.
pub async fn decide(
    store: &Store,
    request_id: &str,
    decision: Decision,
) -> Result<QuotaRequestRecord, DecideError> {
    let mut tx = store.begin().await?;
    let mut record = tx
        .quota_request_by_id(request_id)
        .await?
        .ok_or_else(|| DecideError::NotFound(request_id.to_owned()))?;
    if record.status != "PENDING" && record.status != "CASE_OPENED" {
        return Err(DecideError::NotPending(
            request_id.to_owned(),
            record.status.clone(),
        ));
    }
    let status = match decision {
        Decision::Approve => "APPROVED",
        Decision::Deny => "DENIED",
    };
    let now = now_millis();
    tx.set_quota_request_status(&record.account_id, request_id, status, now)
        .await?;
    if decision == Decision::Approve {
        let code = resolve(&record.service_code, &record.quota_code).unwrap_or(ACCOUNTS_QUOTA);
        tx.set_quota_value(
            &record.account_id,
            ORGANIZATIONS,
            code,
            record.desired_value,
        )
        .await?;
    }
    tx.commit().await?;
    status.clone_into(&mut record.status);
    record.updated_at = now;
    Ok(record)
}
