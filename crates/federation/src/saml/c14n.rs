//! Exclusive XML canonicalization 1.0 without comments
//! (`http://www.w3.org/2001/10/xml-exc-c14n#`) of one element of a parsed document, the
//! form XML-DSig digests and signs. It works on roxmltree's tree (so entities, line ends
//! and attribute values are already normalized by the parser) and reads element and
//! attribute prefixes from the source text, since the tree keeps only expanded names.
//! It must not be used on documents with a DTD (the parser refuses them).

use std::collections::{BTreeMap, BTreeSet};

use roxmltree::{Node, NodeType};

/// The namespace URI of the `xml` prefix, declared implicitly and never output.
const XML_NAMESPACE: &str = "http://www.w3.org/XML/1998/namespace";

/// Canonicalizes `element` and its descendants, leaving out the subtree `exclude` (the
/// enveloped signature). `inclusive` is the InclusiveNamespaces PrefixList: prefixes
/// (`#default` for the default namespace) treated as by inclusive canonicalization.
pub fn canonicalize(
    element: Node<'_, '_>,
    inclusive: &[&str],
    exclude: Option<Node<'_, '_>>,
) -> Result<String, String> {
    let mut out = String::new();
    write_element(element, inclusive, exclude, &Rendered::new(), &mut out)?;
    Ok(out)
}

/// The qualified name of an element as written in the source.
fn element_qname<'input>(node: Node<'_, 'input>) -> Result<&'input str, String> {
    let text = node.document().input_text();
    let start = node.range().start + 1;
    let rest = text
        .get(start..)
        .ok_or("an element lies outside the document")?;
    let end = rest
        .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
        .unwrap_or(rest.len());
    rest.get(..end)
        .filter(|qname| !qname.is_empty())
        .ok_or_else(|| "an element has no name".to_owned())
}

fn prefix_of(qname: &str) -> Option<&str> {
    qname.split_once(':').map(|(prefix, _)| prefix)
}

/// The URI a prefix (`None`: the default namespace) is bound to at `node`.
fn namespace_at<'a>(node: Node<'a, '_>, prefix: Option<&str>) -> Option<&'a str> {
    node.namespaces()
        .find(|ns| ns.name() == prefix)
        .map(|ns| ns.uri())
}

/// Namespace declarations output by the nearest output ancestors: prefix (`None` for the
/// default namespace) to URI.
type Rendered = BTreeMap<Option<String>, String>;

fn write_element(
    node: Node<'_, '_>,
    inclusive: &[&str],
    exclude: Option<Node<'_, '_>>,
    rendered: &Rendered,
    out: &mut String,
) -> Result<(), String> {
    let text = node.document().input_text();
    let qname = element_qname(node)?;

    // Prefixes this element visibly utilizes, plus the inclusive ones in scope.
    let mut utilized: BTreeSet<Option<&str>> = BTreeSet::new();
    utilized.insert(prefix_of(qname));
    let mut attributes = Vec::new();
    for attribute in node.attributes() {
        let attribute_qname = text
            .get(attribute.range_qname())
            .ok_or("an attribute lies outside the document")?;
        let prefix = prefix_of(attribute_qname);
        if let Some(prefix) = prefix.filter(|prefix| *prefix != "xml") {
            utilized.insert(Some(prefix));
        }
        attributes.push((
            attribute.namespace().unwrap_or(""),
            attribute.name(),
            attribute_qname,
            attribute.value(),
        ));
    }
    for prefix in inclusive {
        let prefix = if *prefix == "#default" {
            None
        } else {
            Some(*prefix)
        };
        if prefix.is_none() || namespace_at(node, prefix).is_some() {
            utilized.insert(prefix);
        }
    }

    // Declarations not already rendered, with the same value, by an output ancestor.
    let mut now_rendered = rendered.clone();
    let mut declarations = Vec::new();
    for prefix in utilized {
        let uri = namespace_at(node, prefix);
        if uri == Some(XML_NAMESPACE) {
            continue;
        }
        match prefix {
            None => {
                let uri = uri.unwrap_or("");
                let current = rendered.get(&None).map_or("", String::as_str);
                if uri != current {
                    declarations.push((None, uri));
                    now_rendered.insert(None, uri.to_owned());
                }
            }
            Some(name) => {
                let uri = uri.ok_or_else(|| format!("the prefix `{name}` is not declared"))?;
                if rendered.get(&Some(name.to_owned())).map(String::as_str) != Some(uri) {
                    declarations.push((Some(name), uri));
                    now_rendered.insert(Some(name.to_owned()), uri.to_owned());
                }
            }
        }
    }
    // BTreeSet order already puts the default namespace first, then prefixes by name.
    attributes.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));

    out.push('<');
    out.push_str(qname);
    for (prefix, uri) in declarations {
        match prefix {
            None => out.push_str(" xmlns=\""),
            Some(name) => {
                out.push_str(" xmlns:");
                out.push_str(name);
                out.push_str("=\"");
            }
        }
        escape_attribute(uri, out);
        out.push('"');
    }
    for (_, _, attribute_qname, value) in attributes {
        out.push(' ');
        out.push_str(attribute_qname);
        out.push_str("=\"");
        escape_attribute(value, out);
        out.push('"');
    }
    out.push('>');
    for child in node.children() {
        if exclude == Some(child) {
            continue;
        }
        match child.node_type() {
            NodeType::Element => write_element(child, inclusive, exclude, &now_rendered, out)?,
            NodeType::Text => escape_text(child.text().unwrap_or_default(), out),
            NodeType::PI => {
                if let Some(pi) = child.pi() {
                    out.push_str("<?");
                    out.push_str(pi.target);
                    if let Some(value) = pi.value.filter(|value| !value.is_empty()) {
                        out.push(' ');
                        out.push_str(value);
                    }
                    out.push_str("?>");
                }
            }
            NodeType::Comment | NodeType::Root => {}
        }
    }
    out.push_str("</");
    out.push_str(qname);
    out.push('>');
    Ok(())
}

fn escape_text(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            other => out.push(other),
        }
    }
}

fn escape_attribute(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            other => out.push(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Canonicalizes the first element named `name` in `xml`.
    fn check(xml: &str, name: &str, inclusive: &[&str], expected: &str) {
        let document = roxmltree::Document::parse(xml).unwrap();
        let element = document
            .descendants()
            .find(|node| node.tag_name().name() == name)
            .unwrap();
        assert_eq!(canonicalize(element, inclusive, None).unwrap(), expected);
    }

    #[test]
    fn only_visibly_utilized_namespaces_are_output() {
        // The example of the Exclusive C14N recommendation, section 2.2.
        let xml = r#"<n0:local xmlns:n0="foo:bar" xmlns:n3="ftp://example.org"><n1:elem2 xmlns:n1="http://example.net" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"/></n1:elem2></n0:local>"#;
        check(
            xml,
            "elem2",
            &[],
            r#"<n1:elem2 xmlns:n1="http://example.net" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"></n3:stuff></n1:elem2>"#,
        );
        let xml = r#"<n2:pdu xmlns:n1="http://example.com" xmlns:n2="http://foo.example" xml:lang="fr" xml:space="retain"><n1:elem2 xmlns:n1="http://example.net" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"/></n1:elem2></n2:pdu>"#;
        check(
            xml,
            "elem2",
            &[],
            r#"<n1:elem2 xmlns:n1="http://example.net" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"></n3:stuff></n1:elem2>"#,
        );
    }

    #[test]
    fn inherited_namespaces_are_declared_where_first_used() {
        let xml = r#"<a:root xmlns:a="urn:a" xmlns:b="urn:b" xmlns="urn:d"><a:x><b:y>t</b:y><z/></a:x></a:root>"#;
        check(
            xml,
            "x",
            &[],
            r#"<a:x xmlns:a="urn:a"><b:y xmlns:b="urn:b">t</b:y><z xmlns="urn:d"></z></a:x>"#,
        );
        // A prefix listed as inclusive is output even when only an attribute value uses it.
        check(
            xml,
            "x",
            &["b", "#default"],
            r#"<a:x xmlns="urn:d" xmlns:a="urn:a" xmlns:b="urn:b"><b:y>t</b:y><z></z></a:x>"#,
        );
    }

    #[test]
    fn attributes_are_sorted_and_values_escaped() {
        let xml = "<e xmlns:b=\"urn:b\" xmlns:a=\"urn:z\" z=\"1\" b:c=\"2\" a:c=\"3\" a=\"x&amp;&lt;&quot;&#9;&#10;&#13;&gt;\"/>";
        check(
            xml,
            "e",
            &[],
            "<e xmlns:a=\"urn:z\" xmlns:b=\"urn:b\" a=\"x&amp;&lt;&quot;&#x9;&#xA;&#xD;>\" z=\"1\" b:c=\"2\" a:c=\"3\"></e>",
        );
    }

    #[test]
    fn text_comments_and_line_ends() {
        let xml = "<e>a &amp; b &lt; c > d&#13;<!-- gone --><![CDATA[<x>]]>\r\nend<?pi  data?></e>";
        check(
            xml,
            "e",
            &[],
            "<e>a &amp; b &lt; c &gt; d&#xD;&lt;x&gt;\nend<?pi data?></e>",
        );
    }

    #[test]
    fn default_namespace_is_undeclared_when_a_child_leaves_it() {
        let xml = r#"<r xmlns="urn:d"><c xmlns=""><g/></c></r>"#;
        check(
            xml,
            "r",
            &[],
            r#"<r xmlns="urn:d"><c xmlns=""><g></g></c></r>"#,
        );
        // At the apex there is nothing to undeclare.
        check(xml, "c", &[], r#"<c><g></g></c>"#);
    }

    #[test]
    fn the_excluded_subtree_is_left_out() {
        let xml = r#"<r ID="x"><a/><ds:Signature xmlns:ds="urn:ds"><ds:v/></ds:Signature><b/></r>"#;
        let document = roxmltree::Document::parse(xml).unwrap();
        let root = document.root_element();
        let signature = root
            .children()
            .find(|node| node.tag_name().name() == "Signature")
            .unwrap();
        assert_eq!(
            canonicalize(root, &[], Some(signature)).unwrap(),
            r#"<r ID="x"><a></a><b></b></r>"#
        );
    }
}
