// Where an S3 request goes: the URL of the bucket or an object for the
// configured endpoint and addressing style, keys and query values encoded as
// S3 (and Signature V4) require.
#pragma once

#include "s3/s3_settings.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace audit_s3::s3 {

// RFC 3986 percent-encoding of everything but the unreserved characters
// (A-Z a-z 0-9 - . _ ~), and '/' too when keep_slash (object keys keep their
// "folders"). This is S3's URI encoding, so the path libcurl signs is the
// canonical one.
std::string uri_encode(std::string_view text, bool keep_slash);

// A query string in Signature V4's canonical form: parameters sorted by
// name, names and values encoded, "name=" for flags such as "uploads".
// libcurl 7.88 signs the query exactly as it appears in the URL, so the URL
// must carry the canonical form itself.
std::string canonical_query(std::vector<std::pair<std::string, std::string>> parameters);

class Addressing {
public:
    // Empty region: us-east-1; empty endpoint: https://s3.<region>.amazonaws.com.
    explicit Addressing(const S3Settings& settings);

    const std::string& region() const { return region_; }
    // The bucket's URL without a trailing slash (path-style:
    // endpoint/bucket; virtual-host: scheme://bucket.host[/base]).
    std::string bucket_url() const;
    // bucket_url()/encoded key, then "?query" when the query is not empty.
    std::string object_url(const std::string& key, const std::string& query = {}) const;

private:
    std::string region_;
    std::string scheme_;     // "https"
    std::string authority_;  // "s3.us-east-1.amazonaws.com", "127.0.0.1:9000"
    std::string base_path_;  // "" or "/prefix" of an endpoint with a path
    std::string bucket_;
    bool path_style_ = false;
};

}  // namespace audit_s3::s3
