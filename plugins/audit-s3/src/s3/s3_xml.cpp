#include "s3/s3_xml.hpp"

#include <Poco/AutoPtr.h>
#include <Poco/DOM/DOMParser.h>
#include <Poco/DOM/Document.h>
#include <Poco/DOM/Element.h>
#include <Poco/DOM/Node.h>
#include <Poco/Exception.h>
#include <Poco/SAX/XMLReader.h>

namespace audit_s3::s3 {
namespace {

using Poco::XML::Element;
using Poco::XML::Node;

std::string name_of(const Node* node) {
    // S3 puts its documents in a namespace; error documents have none.
    const std::string& local = node->localName();
    return local.empty() ? node->nodeName() : local;
}

const Element* child(const Node* parent, const std::string& name) {
    for (Node* node = parent->firstChild(); node != nullptr; node = node->nextSibling()) {
        if (node->nodeType() == Node::ELEMENT_NODE && name_of(node) == name) return static_cast<Element*>(node);
    }
    return nullptr;
}

std::string text_of(const Node* parent, const std::string& name) {
    const Element* element = child(parent, name);
    return element != nullptr ? element->innerText() : std::string();
}

}  // namespace

XmlAnswer parse_answer(const std::string& body) {
    XmlAnswer answer;
    if (body.empty()) return answer;
    try {
        Poco::XML::DOMParser parser;
        parser.setFeature(Poco::XML::XMLReader::FEATURE_NAMESPACES, true);
        // An answer must not make us read files or expand entity bombs.
        parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_GENERAL_ENTITIES, false);
        parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_PARAMETER_ENTITIES, false);
        Poco::AutoPtr<Poco::XML::Document> document = parser.parseString(body);
        const Element* root = document->documentElement();
        if (root == nullptr) return answer;
        answer.parsed = true;
        answer.root = name_of(root);
        if (answer.root == "Error") {
            answer.code = text_of(root, "Code");
            answer.message = text_of(root, "Message");
        } else if (answer.root == "InitiateMultipartUploadResult") {
            answer.upload_id = text_of(root, "UploadId");
        } else if (answer.root == "ListMultipartUploadsResult") {
            answer.truncated = text_of(root, "IsTruncated") == "true";
            for (Node* node = root->firstChild(); node != nullptr; node = node->nextSibling()) {
                if (node->nodeType() != Node::ELEMENT_NODE || name_of(node) != "Upload") continue;
                answer.uploads.push_back(PendingUpload{text_of(node, "Key"), text_of(node, "UploadId")});
            }
        }
    } catch (const Poco::Exception&) {
        answer = XmlAnswer{};
    }
    return answer;
}

std::string xml_escape(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            default: out.push_back(c);
        }
    }
    return out;
}

}  // namespace audit_s3::s3
