#include "s3/s3_xml.hpp"

#include <Poco/AutoPtr.h>
#include <Poco/DOM/DOMParser.h>
#include <Poco/DOM/Document.h>
#include <Poco/DOM/Element.h>
#include <Poco/DOM/Node.h>
#include <Poco/Exception.h>
#include <Poco/SAX/XMLReader.h>
#include <Poco/XML/XMLWriter.h>

#include <sstream>

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

std::string complete_multipart_upload_body(const std::vector<CompletedPart>& parts) {
    static const std::string kNamespace = "http://s3.amazonaws.com/doc/2006-03-01/";
    std::ostringstream out;
    Poco::XML::XMLWriter writer(out, Poco::XML::XMLWriter::CANONICAL);
    writer.startDocument();
    writer.startPrefixMapping("", kNamespace);
    writer.startElement(kNamespace, "CompleteMultipartUpload", "");
    for (const auto& part : parts) {
        writer.startElement(kNamespace, "Part", "");
        writer.dataElement(kNamespace, "PartNumber", "", std::to_string(part.number));
        writer.dataElement(kNamespace, "ETag", "", part.etag);
        writer.endElement(kNamespace, "Part", "");
    }
    writer.endElement(kNamespace, "CompleteMultipartUpload", "");
    writer.endPrefixMapping("");
    writer.endDocument();
    return out.str();
}

}  // namespace audit_s3::s3
