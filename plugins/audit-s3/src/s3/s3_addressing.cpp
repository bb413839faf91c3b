#include "s3/s3_addressing.hpp"

#include <algorithm>
#include <stdexcept>

namespace audit_s3::s3 {

std::string uri_encode(std::string_view text, bool keep_slash) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        const bool unreserved = (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
                                (byte >= '0' && byte <= '9') || byte == '-' || byte == '.' || byte == '_' ||
                                byte == '~';
        if (unreserved || (keep_slash && byte == '/')) {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(kHex[byte >> 4]);
            out.push_back(kHex[byte & 0x0f]);
        }
    }
    return out;
}

std::string canonical_query(std::vector<std::pair<std::string, std::string>> parameters) {
    for (auto& [name, value] : parameters) {
        name = uri_encode(name, false);
        value = uri_encode(value, false);
    }
    std::sort(parameters.begin(), parameters.end());
    std::string out;
    for (const auto& [name, value] : parameters) {
        if (!out.empty()) out.push_back('&');
        out += name + "=" + value;
    }
    return out;
}

Addressing::Addressing(const S3Settings& settings)
    : region_(settings.region.empty() ? "us-east-1" : settings.region),
      bucket_(settings.bucket),
      path_style_(settings.path_style) {
    std::string endpoint = settings.endpoint.empty() ? "https://s3." + region_ + ".amazonaws.com" : settings.endpoint;
    while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
    const size_t scheme_end = endpoint.find("://");
    if (scheme_end == std::string::npos) throw std::invalid_argument("the S3 endpoint is not an http(s) URL");
    scheme_ = endpoint.substr(0, scheme_end);
    const size_t authority_start = scheme_end + 3;
    const size_t path_start = std::min(endpoint.find('/', authority_start), endpoint.size());
    authority_ = endpoint.substr(authority_start, path_start - authority_start);
    base_path_ = endpoint.substr(path_start);
}

std::string Addressing::bucket_url() const {
    if (path_style_) return scheme_ + "://" + authority_ + base_path_ + "/" + uri_encode(bucket_, false);
    return scheme_ + "://" + bucket_ + "." + authority_ + base_path_;
}

std::string Addressing::object_url(const std::string& key, const std::string& query) const {
    std::string url = bucket_url() + "/" + uri_encode(key, true);
    if (!query.empty()) url += "?" + query;
    return url;
}

}  // namespace audit_s3::s3
