// S3's XML: the answers, read with Poco's XML DOM parser (the error document
// and the result documents the client needs; only what the client uses is
// kept, unknown elements are ignored), and the one request body in XML.
#pragma once

#include "s3/s3_client.hpp"

#include <string>
#include <vector>

namespace audit_s3::s3 {

struct XmlAnswer {
    bool parsed = false;    // a well-formed XML document
    std::string root;       // its root element's local name ("Error", ...)
    std::string code;       // <Error><Code>
    std::string message;    // <Error><Message>
    std::string upload_id;  // <InitiateMultipartUploadResult><UploadId>
    std::vector<PendingUpload> uploads;  // <ListMultipartUploadsResult><Upload>
    bool truncated = false;              // <ListMultipartUploadsResult><IsTruncated>
};

// Never throws: a body that is empty or not XML gives parsed=false.
XmlAnswer parse_answer(const std::string& body);

// The body of CompleteMultipartUpload, written with Poco's XMLWriter.
std::string complete_multipart_upload_body(const std::vector<CompletedPart>& parts);

}  // namespace audit_s3::s3
