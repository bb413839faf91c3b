#include "xauthority.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace csh::agent::forward {

namespace {

// The file is a sequence of entries: a 16-bit family, then address,
// display number, protocol name and data, each a 16-bit big-endian length
// and its bytes.
constexpr unsigned kFamilyLocal = 256;

void put_u16(std::string& out, unsigned value) {
    out.push_back(static_cast<char>((value >> 8) & 0xff));
    out.push_back(static_cast<char>(value & 0xff));
}

void put_field(std::string& out, const std::string& field) {
    put_u16(out, static_cast<unsigned>(field.size()));
    out.append(field);
}

bool read_u16(const std::string& in, std::size_t& at, unsigned& value) {
    if (in.size() - at < 2) return false;
    value = (static_cast<unsigned char>(in[at]) << 8) | static_cast<unsigned char>(in[at + 1]);
    at += 2;
    return true;
}

bool read_field(const std::string& in, std::size_t& at, std::string& field) {
    unsigned length = 0;
    if (!read_u16(in, at, length) || in.size() - at < length) return false;
    field.assign(in, at, length);
    at += length;
    return true;
}

bool hex_decode(const std::string& hex, std::string& bytes) {
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    if (hex.empty() || hex.size() % 2 != 0) return false;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int high = nibble(hex[i]), low = nibble(hex[i + 1]);
        if (high < 0 || low < 0) return false;
        bytes.push_back(static_cast<char>(high * 16 + low));
    }
    return true;
}

bool read_file(const std::string& path, std::string& contents) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT;  // no file yet: nothing to keep
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0) contents.append(buffer, static_cast<std::size_t>(n));
    ::close(fd);
    return n == 0;
}

bool write_file_atomically(const std::string& path, const std::string& contents, std::string& why) {
    std::string temporary = path + ".csh-XXXXXX";
    const int fd = ::mkstemp(&temporary[0]);
    if (fd < 0) {
        why = "cannot create a file beside " + path + ": " + std::strerror(errno);
        return false;
    }
    bool ok = ::fchmod(fd, 0600) == 0;
    for (std::size_t done = 0; ok && done < contents.size();) {
        const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
        if (n <= 0) ok = false;
        done += n > 0 ? static_cast<std::size_t>(n) : 0;
    }
    ok = ::close(fd) == 0 && ok;
    if (!ok || ::rename(temporary.c_str(), path.c_str()) != 0) {
        why = "cannot write " + path + ": " + std::strerror(errno);
        ::unlink(temporary.c_str());
        return false;
    }
    return true;
}

}  // namespace

std::string xauthority_path() {
    const char* explicit_path = std::getenv("XAUTHORITY");
    if (explicit_path != nullptr && *explicit_path != '\0') return explicit_path;
    const char* home = std::getenv("HOME");
    if (home != nullptr && *home != '\0') return std::string(home) + "/.Xauthority";
    return {};
}

bool add_xauthority_entry(unsigned display, const std::string& protocol, const std::string& cookie_hex,
                          std::string& why) {
    const std::string path = xauthority_path();
    if (path.empty()) {
        why = "neither XAUTHORITY nor HOME is set: nowhere to write the X11 cookie";
        return false;
    }
    std::string cookie;
    if (!hex_decode(cookie_hex, cookie)) {
        why = "the X11 cookie is not hexadecimal text";
        return false;
    }
    utsname host{};
    ::uname(&host);
    const std::string hostname = host.nodename;
    const std::string number = std::to_string(display);

    std::string existing;
    if (!read_file(path, existing)) {
        why = "cannot read " + path + ": " + std::strerror(errno);
        return false;
    }
    // Keep every well-formed entry but this display's; a damaged tail is dropped.
    std::string contents;
    for (std::size_t at = 0; at < existing.size();) {
        const std::size_t start = at;
        unsigned family = 0;
        std::string address, entry_number, name, data;
        if (!read_u16(existing, at, family) || !read_field(existing, at, address) ||
            !read_field(existing, at, entry_number) || !read_field(existing, at, name) ||
            !read_field(existing, at, data)) {
            break;
        }
        if (family == kFamilyLocal && address == hostname && entry_number == number) continue;
        contents.append(existing, start, at - start);
    }
    put_u16(contents, kFamilyLocal);
    put_field(contents, hostname);
    put_field(contents, number);
    put_field(contents, protocol);
    put_field(contents, cookie);
    return write_file_atomically(path, contents, why);
}

}  // namespace csh::agent::forward
