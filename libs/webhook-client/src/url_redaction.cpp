#include <csh/webhook/url_redaction.hpp>

namespace csh::webhook {

std::string redact_url(std::string_view url) {
    url = url.substr(0, url.find_first_of("?#"));
    const size_t scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return std::string(url);
    const size_t authority_start = scheme_end + 3;
    const size_t authority_end = std::min(url.find('/', authority_start), url.size());
    const std::string_view authority = url.substr(authority_start, authority_end - authority_start);
    const size_t at = authority.rfind('@');
    if (at == std::string_view::npos) return std::string(url);
    return std::string(url.substr(0, authority_start)) + std::string(authority.substr(at + 1)) +
           std::string(url.substr(authority_end));
}

}  // namespace csh::webhook
