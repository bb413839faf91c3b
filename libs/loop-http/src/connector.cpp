#include <csh/loop_http/connector.hpp>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

namespace csh::loop_http {

namespace {

[[noreturn]] void tls_config_error(const std::string& what) {
    ERR_clear_error();
    throw TlsSetupError(what);
}

std::vector<X509*> read_certificates(const std::string& pem) {
    std::vector<X509*> out;
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) out.push_back(cert);
    BIO_free(bio);
    ERR_clear_error();  // the end of the PEM text reads as an error
    return out;
}

SSL_CTX* make_tls_context(const Endpoint& endpoint) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == nullptr) tls_config_error("cannot create a TLS context");
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    if (!endpoint.cacert_pem.empty()) {
        const auto cas = read_certificates(endpoint.cacert_pem);
        if (cas.empty()) {
            SSL_CTX_free(ctx);
            tls_config_error("cacert holds no PEM certificate");
        }
        X509_STORE* store = SSL_CTX_get_cert_store(ctx);
        for (X509* ca : cas) {
            X509_STORE_add_cert(store, ca);
            X509_free(ca);
        }
    } else {
        SSL_CTX_set_default_verify_paths(ctx);
    }
    if (!endpoint.cert_pem.empty()) {
        auto chain = read_certificates(endpoint.cert_pem);
        BIO* bio = BIO_new_mem_buf(endpoint.key_pem.data(), static_cast<int>(endpoint.key_pem.size()));
        EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
        BIO_free(bio);
        const bool ok = !chain.empty() && key != nullptr && SSL_CTX_use_certificate(ctx, chain.front()) == 1 &&
                        SSL_CTX_use_PrivateKey(ctx, key) == 1 && SSL_CTX_check_private_key(ctx) == 1;
        for (size_t i = 1; ok && i < chain.size(); ++i) SSL_CTX_add1_chain_cert(ctx, chain[i]);
        for (X509* cert : chain) X509_free(cert);
        EVP_PKEY_free(key);
        if (!ok) {
            SSL_CTX_free(ctx);
            tls_config_error("cert and key are not a matching PEM certificate and private key");
        }
    }
    return ctx;
}

int new_socket(int family) {
    return ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

// Starts a non-blocking connect; returns the socket (connected or in
// progress) or -1 with `error` set.
int start_connect(const sockaddr* address, socklen_t length, std::string& error) {
    const int fd = new_socket(address->sa_family);
    if (fd < 0) {
        error = std::strerror(errno);
        return -1;
    }
    if (address->sa_family != AF_UNIX) {
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    if (::connect(fd, address, length) == 0 || errno == EINPROGRESS || errno == EAGAIN) return fd;
    error = std::strerror(errno);
    ::close(fd);
    return -1;
}

bool is_ip_literal(const std::string& text) {
    unsigned char buffer[sizeof(in6_addr)];
    return inet_pton(AF_INET, text.c_str(), buffer) == 1 || inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

// One connection attempt in flight: waits for the socket to become writable,
// then hands out the stream.
struct PendingConnect : std::enable_shared_from_this<PendingConnect> {
    csh::sdk::Host host;
    csh_strand* strand = nullptr;
    Connector::Done done;
    SSL_CTX* tls = nullptr;
    std::string server_name;
    std::string where;
    int fd = -1;
    csh::sdk::FdWatch watch;

    void fail(const std::string& why) {
        watch.stop();
        if (fd >= 0) ::close(fd);
        fd = -1;
        auto callback = std::move(done);
        if (callback) callback(nullptr, where + ": " + why);
    }

    void succeed() {
        watch.stop();
        std::unique_ptr<ByteStream> stream;
        if (tls != nullptr) {
            SSL* ssl = SSL_new(tls);
            if (ssl == nullptr) return fail("cannot create a TLS session");
            SSL_set_fd(ssl, fd);
            SSL_set_connect_state(ssl);
            if (!server_name.empty()) {
                SSL_set_tlsext_host_name(ssl, server_name.c_str());
                if (!is_ip_literal(server_name)) {
                    SSL_set1_host(ssl, server_name.c_str());
                } else {
                    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), server_name.c_str());
                }
            }
            stream = make_tls_stream(std::exchange(fd, -1), ssl);
        } else {
            stream = make_plain_stream(std::exchange(fd, -1));
        }
        auto callback = std::move(done);
        if (callback) callback(std::move(stream), {});
    }

    void begin(const sockaddr* address, socklen_t length) {
        std::string error;
        fd = start_connect(address, length, error);
        if (fd < 0) return fail(error);
        auto self = shared_from_this();
        watch = host.fd_watch_start(strand, fd, CSH_FD_WRITE, [self](uint32_t) {
            int error_code = 0;
            socklen_t size = sizeof error_code;
            if (::getsockopt(self->fd, SOL_SOCKET, SO_ERROR, &error_code, &size) != 0) error_code = errno;
            if (error_code != 0) return self->fail(std::strerror(error_code));
            self->succeed();
        });
    }
};

}  // namespace

std::shared_ptr<Connector> Connector::create(csh::sdk::Host host, Endpoint endpoint) {
    return std::shared_ptr<Connector>(new Connector(std::move(host), std::move(endpoint)));
}

Connector::Connector(csh::sdk::Host host, Endpoint endpoint)
    : host_(std::move(host)), endpoint_(std::move(endpoint)) {
    if (endpoint_.tls) tls_ = make_tls_context(endpoint_);
}

Connector::~Connector() {
    if (tls_ != nullptr) SSL_CTX_free(tls_);
}

void Connector::connect(csh_strand* strand, Done done) const {
    auto pending = std::make_shared<PendingConnect>();
    pending->host = host_;
    pending->strand = strand;
    pending->done = std::move(done);
    pending->tls = tls_;
    pending->where = "connecting to " + endpoint_.display();

    if (endpoint_.kind == Endpoint::Kind::unix_socket) {
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        if (endpoint_.unix_path.size() >= sizeof(address.sun_path)) return pending->fail("socket path too long");
        std::memcpy(address.sun_path, endpoint_.unix_path.data(), endpoint_.unix_path.size());
        return pending->begin(reinterpret_cast<const sockaddr*>(&address), sizeof address);
    }

    pending->server_name = endpoint_.server_name.empty() ? endpoint_.tcp_host : endpoint_.server_name;
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    addrinfo* numeric = nullptr;
    const std::string port = std::to_string(endpoint_.tcp_port);
    if (::getaddrinfo(endpoint_.tcp_host.c_str(), port.c_str(), &hints, &numeric) == 0) {
        pending->begin(numeric->ai_addr, numeric->ai_addrlen);
        ::freeaddrinfo(numeric);
        return;
    }
    // A host name: getaddrinfo blocks, so it runs on its own thread and the
    // connect continues on the strand.
    std::thread([pending, name = endpoint_.tcp_host, port] {
        addrinfo hints{};
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_NUMERICSERV;
        addrinfo* found = nullptr;
        const int rc = ::getaddrinfo(name.c_str(), port.c_str(), &hints, &found);
        std::vector<char> address;
        socklen_t length = 0;
        if (rc == 0) {
            length = found->ai_addrlen;
            address.assign(reinterpret_cast<const char*>(found->ai_addr),
                           reinterpret_cast<const char*>(found->ai_addr) + length);
            ::freeaddrinfo(found);
        }
        const std::string error = rc == 0 ? std::string() : gai_strerror(rc);
        pending->host.post(pending->strand, [pending, address, length, error] {
            if (!error.empty()) return pending->fail("cannot resolve the host name: " + error);
            pending->begin(reinterpret_cast<const sockaddr*>(address.data()), length);
        });
    }).detach();
}

}  // namespace csh::loop_http
