//! botocore's `service-2.json`, read into the few facts the generator uses: metadata,
//! operations and shapes with their constraints and serialization traits. Documentation
//! text is never read.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read as _;
use std::path::{Path, PathBuf};

use crate::ordered_json::Json as Value;
use anyhow::{bail, Context as _};

/// One service model.
pub struct Model {
    /// botocore's directory name, e.g. `service-quotas`.
    pub service: String,
    pub api_version: String,
    /// `query` or `json`.
    pub protocol: Protocol,
    pub xml_namespace: String,
    pub target_prefix: Option<String>,
    pub signing_name: String,
    pub operations: Vec<Operation>,
    pub shapes: BTreeMap<String, Shape>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Query,
    Json,
}

pub struct Operation {
    pub name: String,
    pub input: Option<String>,
    pub output: Option<String>,
    pub result_wrapper: Option<String>,
}

pub struct Shape {
    pub kind: Kind,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub pattern: Option<String>,
    pub sensitive: bool,
    pub flattened: bool,
}

pub enum Kind {
    Structure(Structure),
    List(MemberRef),
    Map { key: MemberRef, value: MemberRef },
    String { values: Vec<String> },
    Integer,
    Long,
    Boolean,
    Double,
    Timestamp,
    Blob,
}

pub struct Structure {
    pub members: Vec<Member>,
    pub required: BTreeSet<String>,
    pub error: Option<ErrorTrait>,
}

pub struct ErrorTrait {
    pub code: String,
    pub status: u16,
    pub sender: bool,
}

pub struct Member {
    pub name: String,
    pub target: MemberRef,
    pub flattened: bool,
}

/// A reference to a shape with the member-level serialization name, if any.
pub struct MemberRef {
    pub shape: String,
    pub location_name: Option<String>,
}

impl MemberRef {
    fn read(v: &Value) -> anyhow::Result<MemberRef> {
        Ok(MemberRef {
            shape: str_field(v, "shape")?.to_owned(),
            location_name: v
                .get("locationName")
                .and_then(Value::as_str)
                .map(str::to_owned),
        })
    }
}

fn str_field<'a>(v: &'a Value, name: &str) -> anyhow::Result<&'a str> {
    v.get(name)
        .and_then(Value::as_str)
        .with_context(|| format!("missing string field `{name}`"))
}

/// `<dir>/<service>/<version>/service-2.json[.gz]`, the one version directory there is.
pub fn find(models: &Path, service: &str) -> anyhow::Result<PathBuf> {
    let dir = models.join(service);
    let mut versions: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    versions.sort();
    let Some(version) = versions.pop() else {
        bail!("no model version under {}", dir.display());
    };
    for name in ["service-2.json", "service-2.json.gz"] {
        let path = version.join(name);
        if path.exists() {
            return Ok(path);
        }
    }
    bail!("no service-2.json in {}", version.display())
}

pub fn load(models: &Path, service: &str) -> anyhow::Result<Model> {
    let path = find(models, service)?;
    let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    let text = if path.extension().is_some_and(|e| e == "gz") {
        let mut out = String::new();
        flate2::read::GzDecoder::new(bytes.as_slice())
            .read_to_string(&mut out)
            .with_context(|| format!("decompressing {}", path.display()))?;
        out
    } else {
        String::from_utf8(bytes).context("model is not UTF-8")?
    };
    from_text(service, &text).with_context(|| format!("reading {}", path.display()))
}

/// A model from the text of a `service-2.json`.
pub fn from_text(service: &str, text: &str) -> anyhow::Result<Model> {
    let json: Value = serde_json::from_str(text).context("model is not JSON")?;
    parse(service, &json)
}

fn parse(service: &str, json: &Value) -> anyhow::Result<Model> {
    let meta = json.get("metadata").context("no metadata")?;
    let api_version = str_field(meta, "apiVersion")?.to_owned();
    let endpoint_prefix = str_field(meta, "endpointPrefix")?.to_owned();
    let protocol = match str_field(meta, "protocol")? {
        "query" => Protocol::Query,
        "json" => Protocol::Json,
        other => bail!("protocol `{other}` is not supported"),
    };
    let xml_namespace = meta
        .get("xmlNamespace")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("https://{endpoint_prefix}.amazonaws.com/doc/{api_version}/"));
    let target_prefix = meta
        .get("targetPrefix")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let signing_name = meta
        .get("signingName")
        .and_then(Value::as_str)
        .unwrap_or(&endpoint_prefix)
        .to_owned();

    let mut operations = Vec::new();
    for (name, op) in json
        .get("operations")
        .and_then(Value::as_object)
        .context("no operations")?
    {
        let shape_of = |key: &str| {
            op.get(key)
                .and_then(|v| v.get("shape"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        operations.push(Operation {
            name: name.clone(),
            input: shape_of("input"),
            output: shape_of("output"),
            result_wrapper: op
                .get("output")
                .and_then(|v| v.get("resultWrapper"))
                .and_then(Value::as_str)
                .map(str::to_owned),
        });
    }

    let mut shapes = BTreeMap::new();
    for (name, s) in json
        .get("shapes")
        .and_then(Value::as_object)
        .context("no shapes")?
    {
        let shape = parse_shape(s).with_context(|| format!("shape `{name}`"))?;
        shapes.insert(name.clone(), shape);
    }
    Ok(Model {
        service: service.to_owned(),
        api_version,
        protocol,
        xml_namespace,
        target_prefix,
        signing_name,
        operations,
        shapes,
    })
}

fn parse_shape(s: &Value) -> anyhow::Result<Shape> {
    let kind = match str_field(s, "type")? {
        "structure" => {
            let mut members = Vec::new();
            if let Some(ms) = s.get("members").and_then(Value::as_object) {
                for (name, m) in ms {
                    members.push(Member {
                        name: name.clone(),
                        target: MemberRef::read(m)?,
                        flattened: m.get("flattened").and_then(Value::as_bool) == Some(true),
                    });
                }
            }
            let required = s
                .get("required")
                .and_then(Value::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            let error = match s.get("error") {
                Some(e) => Some(ErrorTrait {
                    code: str_field(e, "code")?.to_owned(),
                    status: e
                        .get("httpStatusCode")
                        .and_then(Value::as_f64)
                        .and_then(|v| {
                            if (0.0..=999.0).contains(&v) {
                                Some(v as u16)
                            } else {
                                None
                            }
                        })
                        .unwrap_or(400),
                    sender: e.get("senderFault").and_then(Value::as_bool) == Some(true),
                }),
                None if s.get("exception").and_then(Value::as_bool) == Some(true) => {
                    let fault = s.get("fault").and_then(Value::as_bool) == Some(true);
                    Some(ErrorTrait {
                        code: String::new(),
                        status: if fault { 500 } else { 400 },
                        sender: !fault,
                    })
                }
                None => None,
            };
            Kind::Structure(Structure {
                members,
                required,
                error,
            })
        }
        "list" => Kind::List(MemberRef::read(
            s.get("member").context("list without member")?,
        )?),
        "map" => Kind::Map {
            key: MemberRef::read(s.get("key").context("map without key")?)?,
            value: MemberRef::read(s.get("value").context("map without value")?)?,
        },
        "string" => Kind::String {
            values: s
                .get("enum")
                .and_then(Value::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
        },
        "integer" => Kind::Integer,
        "long" => Kind::Long,
        "boolean" => Kind::Boolean,
        "double" | "float" => Kind::Double,
        "timestamp" => Kind::Timestamp,
        "blob" => Kind::Blob,
        other => bail!("shape type `{other}` is not supported"),
    };
    Ok(Shape {
        kind,
        min: s.get("min").and_then(Value::as_f64),
        max: s.get("max").and_then(Value::as_f64),
        pattern: s.get("pattern").and_then(Value::as_str).map(str::to_owned),
        sensitive: s.get("sensitive").and_then(Value::as_bool) == Some(true),
        flattened: s.get("flattened").and_then(Value::as_bool) == Some(true),
    })
}

impl Model {
    pub fn shape(&self, name: &str) -> anyhow::Result<&Shape> {
        self.shapes
            .get(name)
            .with_context(|| format!("shape `{name}` is referenced but not defined"))
    }

    /// Every shape reachable from `roots`, roots included.
    pub fn closure<'a>(&self, roots: impl Iterator<Item = &'a str>) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<String> = roots.map(str::to_owned).collect();
        while let Some(name) = stack.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            if let Some(shape) = self.shapes.get(&name) {
                stack.extend(shape.children().map(str::to_owned));
            }
        }
        seen
    }

    /// Whether structure `from` reaches structure `to` through structure members alone
    /// (so a member of type `to` inside `from` needs a `Box`).
    pub fn reaches_directly(&self, from: &str, to: &str) -> bool {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_owned()];
        while let Some(name) = stack.pop() {
            if name == to {
                return true;
            }
            if !seen.insert(name.clone()) {
                continue;
            }
            if let Some(Shape {
                kind: Kind::Structure(s),
                ..
            }) = self.shapes.get(&name)
            {
                stack.extend(s.members.iter().map(|m| m.target.shape.clone()));
            }
        }
        false
    }
}

impl Shape {
    pub fn children(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        match &self.kind {
            Kind::Structure(s) => Box::new(s.members.iter().map(|m| m.target.shape.as_str())),
            Kind::List(m) => Box::new(std::iter::once(m.shape.as_str())),
            Kind::Map { key, value } => {
                Box::new([key.shape.as_str(), value.shape.as_str()].into_iter())
            }
            _ => Box::new(std::iter::empty()),
        }
    }
}
