//! Reading POST fields the way the providers' servers do.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::http::header;

/// The POST fields as a PHP server reads them (`$_POST`): from an urlencoded body, or from
/// a multipart/form-data one, which is what PHP's curl sends when `CURLOPT_POSTFIELDS` is an
/// array, as in INTER-STREAM's own sample. Any other body gives no fields, as in PHP.
pub(crate) async fn post_fields(
    headers: &axum::http::HeaderMap,
    body: Bytes,
) -> HashMap<String, String> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/x-www-form-urlencoded");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "application/x-www-form-urlencoded" => {
            serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
                .map(|pairs| pairs.into_iter().collect())
                .unwrap_or_default()
        }
        "multipart/form-data" => multipart_fields(content_type, body).await,
        _ => HashMap::new(),
    }
}

/// The text fields of a multipart/form-data body; a malformed body gives none (PHP then sees an
/// empty `$_POST`, so the action reports its missing field).
async fn multipart_fields(content_type: &str, body: Bytes) -> HashMap<String, String> {
    let Ok(boundary) = multer::parse_boundary(content_type) else {
        return HashMap::new();
    };
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut fields = HashMap::new();
    while let Ok(Some(field)) = multipart.next_field().await {
        let Some(name) = field.name().map(str::to_owned) else {
            continue;
        };
        match field.text().await {
            Ok(text) => {
                fields.insert(name, text);
            }
            Err(_) => return HashMap::new(),
        }
    }
    fields
}
