//! `NextToken` / `MaxResults` as Organizations pages its lists. Lists are small (an
//! organization's accounts, OUs, policies), so a page is a slice of the full ordered
//! list and the token is the opaque base64 of the offset of the next item.

use base64::Engine;
use wire::ServiceError;

/// The page size when `MaxResults` is absent (the model allows 1 to 20).
const DEFAULT_MAX_RESULTS: i32 = 20;

/// The page of `items` that `next_token` and `max_results` select, and the token of
/// the page after it.
pub fn page<T>(
    items: Vec<T>,
    next_token: Option<&str>,
    max_results: Option<i32>,
) -> Result<(Vec<T>, Option<String>), ServiceError> {
    let start = match next_token {
        None => 0,
        Some(token) => decode(token).ok_or_else(|| {
            super::invalid_input("INVALID_NEXT_TOKEN", "The specified NextToken isn't valid.")
        })?,
    };
    if start > items.len() {
        return Err(super::invalid_input(
            "INVALID_NEXT_TOKEN",
            "The specified NextToken isn't valid.",
        ));
    }
    let size = usize::try_from(max_results.unwrap_or(DEFAULT_MAX_RESULTS).max(1)).unwrap_or(1);
    let total = items.len();
    let page: Vec<T> = items.into_iter().skip(start).take(size).collect();
    let next = start + page.len();
    let token = (next < total).then(|| encode(next));
    Ok((page, token))
}

fn encode(offset: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("gh-page:{offset}"))
}

fn decode(token: &str) -> Option<usize> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.strip_prefix("gh-page:")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(items: usize, size: i32, expected_pages: &[usize]) {
        let all: Vec<usize> = (0..items).collect();
        let mut token = None;
        let mut pages = Vec::new();
        let mut seen = Vec::new();
        loop {
            let (page, next) = page(all.clone(), token.as_deref(), Some(size)).unwrap();
            pages.push(page.len());
            seen.extend(page);
            match next {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        assert_eq!(pages, expected_pages);
        assert_eq!(seen, all);
    }

    #[test]
    fn pages_cover_every_item_once() {
        check(5, 2, &[2, 2, 1]);
        check(4, 2, &[2, 2]);
        check(0, 3, &[0]);
    }

    #[test]
    fn bad_tokens_are_invalid_input() {
        let error = page(vec![1, 2], Some("nonsense"), None).unwrap_err();
        assert_eq!(error.code, "InvalidInputException");
        let error = page(vec![1, 2], Some(&encode(7)), None).unwrap_err();
        assert_eq!(error.code, "InvalidInputException");
    }
}
