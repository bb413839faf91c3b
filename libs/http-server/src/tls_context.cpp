#include "tls_context.hpp"

#include <containerssh/sdk/pem_source.hpp>
#include <csh/tls/tls_names.hpp>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace csh::http::detail {
namespace {

struct BioFree {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
using Bio = std::unique_ptr<BIO, BioFree>;

Bio memory_bio(const std::string& pem) {
    Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) throw std::runtime_error("out of memory while reading the TLS settings");
    return bio;
}

// OpenSSL's reason for the last failure ("PEM routines::no start line"),
// and a clean error queue for the next call.
std::string openssl_reason() {
    unsigned long last = 0;
    for (unsigned long code = ERR_get_error(); code != 0; code = ERR_get_error()) last = code;
    if (last == 0) return "no reason given";
    char text[256];
    ERR_error_string_n(last, text, sizeof text);
    return text;
}

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what + ": " + openssl_reason()); }

// Never ask for a passphrase (OpenSSL's default would prompt on the
// terminal): an encrypted key is refused instead.
int no_passphrase(char*, int, int, void*) { return -1; }

// The first certificate is the server's; any that follow are the chain sent
// with it. Blocks of other kinds (a key in the same file) are skipped.
void use_certificate_chain(SSL_CTX* context, const std::string& pem) {
    Bio bio = memory_bio(pem);
    X509* leaf = PEM_read_bio_X509(bio.get(), nullptr, &no_passphrase, nullptr);
    if (leaf == nullptr) fail("cert holds no PEM certificate");
    const int used = SSL_CTX_use_certificate(context, leaf);
    X509_free(leaf);
    if (used != 1) fail("cert was refused");
    while (X509* extra = PEM_read_bio_X509(bio.get(), nullptr, &no_passphrase, nullptr)) {
        if (SSL_CTX_add0_chain_cert(context, extra) != 1) {
            X509_free(extra);
            fail("a chain certificate in cert was refused");
        }
    }
    ERR_clear_error();  // reading stops with "no start line" at the end of the text
}

void use_private_key(SSL_CTX* context, const std::string& pem) {
    Bio bio = memory_bio(pem);
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, &no_passphrase, nullptr);
    if (key == nullptr) fail("key holds no unencrypted PEM private key");
    const int used = SSL_CTX_use_PrivateKey(context, key);
    EVP_PKEY_free(key);
    if (used != 1) fail("key was refused (it must belong to the certificate in cert)");
    if (SSL_CTX_check_private_key(context) != 1) fail("key does not belong to the certificate in cert");
}

// Every certificate in the PEM is trusted to sign client certificates, and
// named to clients in the certificate request.
void trust_client_cas(SSL_CTX* context, const std::string& pem) {
    Bio bio = memory_bio(pem);
    X509_STORE* store = SSL_CTX_get_cert_store(context);
    int count = 0;
    while (X509* ca = PEM_read_bio_X509(bio.get(), nullptr, &no_passphrase, nullptr)) {
        const bool added = X509_STORE_add_cert(store, ca) == 1 && SSL_CTX_add_client_CA(context, ca) == 1;
        X509_free(ca);
        if (!added) fail("a certificate in clientcacert was refused");
        ++count;
    }
    ERR_clear_error();
    if (count == 0) throw std::runtime_error("clientcacert holds no PEM certificate");
}

void restrict_protocol(SSL_CTX* context, const ServerTlsSettings& settings) {
    const csh::tls::OpenSslLists lists = csh::tls::openssl_lists(settings.curves, settings.ciphers);
    // With no TLS 1.2 suite configured a TLS 1.2 handshake cannot succeed, so
    // TLS 1.3 is the minimum (as the webhook client does). With no TLS 1.3
    // suite configured OpenSSL's TLS 1.3 defaults apply, as in Go, where TLS
    // 1.3 suites cannot be chosen.
    const bool tls13_only = settings.tls_version == "1.3" || lists.tls12_ciphers.empty();
    if (SSL_CTX_set_min_proto_version(context, tls13_only ? TLS1_3_VERSION : TLS1_2_VERSION) != 1) {
        fail("tlsVersion " + settings.tls_version + " was refused");
    }
    if (!lists.tls12_ciphers.empty() && SSL_CTX_set_cipher_list(context, lists.tls12_ciphers.c_str()) != 1) {
        fail("cipher: OpenSSL supports none of the TLS 1.2 suites " + lists.tls12_ciphers);
    }
    if (!lists.tls13_ciphers.empty() && SSL_CTX_set_ciphersuites(context, lists.tls13_ciphers.c_str()) != 1) {
        fail("cipher: OpenSSL supports none of the TLS 1.3 suites " + lists.tls13_ciphers);
    }
    if (!lists.curves.empty() && SSL_CTX_set1_groups_list(context, lists.curves.c_str()) != 1) {
        fail("curves: OpenSSL refused " + lists.curves);
    }
}

}  // namespace

Poco::Net::Context::Ptr make_server_context(const ServerTlsSettings& settings) {
    const std::string cert = csh::sdk::load_pem("cert", settings.cert);
    const std::string key = csh::sdk::load_pem("key", settings.key);
    const std::string client_ca = csh::sdk::load_pem("clientcacert", settings.client_ca_cert);

    // Poco only takes file names; everything is set on its SSL_CTX instead.
    Poco::Net::Context::Params params;
    params.loadDefaultCAs = false;
    // STRICT: a client without a certificate is refused. Poco's callback
    // accepts what OpenSSL verified against the store filled below.
    params.verificationMode = client_ca.empty() ? Poco::Net::Context::VERIFY_NONE : Poco::Net::Context::VERIFY_STRICT;
    Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
    SSL_CTX* ssl = context->sslContext();

    use_certificate_chain(ssl, cert);
    use_private_key(ssl, key);
    if (!client_ca.empty()) trust_client_cas(ssl, client_ca);
    restrict_protocol(ssl, settings);

    // A session id context lets clients resume sessions when client
    // certificates are verified; OpenSSL refuses resumption without one.
    context->enableSessionCache(true, "containerssh-http");
    // Poco's extended verification matches the peer's certificate to its host
    // name: right for a client checking a server, wrong for client
    // certificates, which name a user and not an address.
    context->enableExtendedCertificateVerification(false);
    return context;
}

}  // namespace csh::http::detail
