#include "dns_message.hpp"

#include <netinet/in.h>

#include <cstring>

namespace csh::agent::forward {

namespace {

constexpr std::uint16_t kClassIn = 1;
constexpr std::size_t kHeaderSize = 12;
constexpr std::size_t kMaxNameWire = 255;
constexpr std::size_t kMaxLabel = 63;
// Compression pointers followed for one name: a loop cannot go on longer,
// and no real name needs more.
constexpr int kMaxPointers = 32;
// CNAME records followed in one answer.
constexpr int kMaxCnames = 16;
constexpr std::uint16_t kFlagResponse = 0x8000;
constexpr std::uint16_t kFlagTruncated = 0x0200;
constexpr std::uint16_t kFlagRecursionDesired = 0x0100;
constexpr unsigned kRcodeNxDomain = 3;

std::uint16_t get16(std::string_view data, std::size_t at) {
    return static_cast<std::uint16_t>((static_cast<unsigned char>(data[at]) << 8) | static_cast<unsigned char>(data[at + 1]));
}

void put16(std::string& out, std::uint16_t value) {
    out.push_back(static_cast<char>(value >> 8));
    out.push_back(static_cast<char>(value & 0xff));
}

// Reads the (possibly compressed) name at `at` as dotted text; `at` moves
// past it in the message. False for anything malformed.
bool read_name(std::string_view message, std::size_t& at, std::string& name) {
    name.clear();
    std::size_t position = at;
    std::size_t wire = 1;
    int pointers = 0;
    bool jumped = false;
    for (;;) {
        if (position >= message.size()) return false;
        const auto length = static_cast<unsigned char>(message[position]);
        if ((length & 0xc0) == 0xc0) {
            if (position + 1 >= message.size() || ++pointers > kMaxPointers) return false;
            if (!jumped) at = position + 2;
            jumped = true;
            position = get16(message, position) & 0x3fff;
            continue;
        }
        if ((length & 0xc0) != 0) return false;  // the obsolete extended label types
        if (length == 0) {
            if (!jumped) at = position + 1;
            return true;
        }
        wire += length + 1u;
        if (position + 1 + length > message.size() || wire > kMaxNameWire) return false;
        const std::string_view label = message.substr(position + 1, length);
        // A dot inside a label would make two names compare equal as text.
        if (label.find('.') != std::string_view::npos) return false;
        if (!name.empty()) name += '.';
        name += label;
        position += 1 + length;
    }
}

}  // namespace

bool build_query(std::string_view name, std::uint16_t id, std::uint16_t type, std::string& out) {
    out.clear();
    if (name.empty() || name.size() + 2 > kMaxNameWire) return false;
    put16(out, id);
    put16(out, kFlagRecursionDesired);
    put16(out, 1);  // one question
    put16(out, 0);
    put16(out, 0);
    put16(out, 0);
    while (!name.empty()) {
        const std::size_t dot = name.find('.');
        const std::string_view label = name.substr(0, dot);
        if (label.empty() || label.size() > kMaxLabel) return false;
        out.push_back(static_cast<char>(label.size()));
        out.append(label);
        name = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
        if (dot != std::string_view::npos && name.empty()) return false;  // "a..": an empty last label
    }
    out.push_back('\0');
    put16(out, type);
    put16(out, kClassIn);
    return true;
}

void set_query_id(std::string& query, std::uint16_t id) {
    query[0] = static_cast<char>(id >> 8);
    query[1] = static_cast<char>(id & 0xff);
}

bool reply_id(std::string_view message, std::uint16_t& id) {
    if (message.size() < 2) return false;
    id = get16(message, 0);
    return true;
}

Reply parse_reply(std::string_view message, std::uint16_t id, std::string_view name, std::uint16_t type,
                  std::uint16_t port, std::vector<Address>& out) {
    if (message.size() < kHeaderSize || get16(message, 0) != id) return Reply::kNotOurs;
    const std::uint16_t flags = get16(message, 2);
    const unsigned opcode = (flags >> 11) & 0xf;
    if ((flags & kFlagResponse) == 0 || opcode != 0 || get16(message, 4) != 1) return Reply::kNotOurs;
    std::size_t at = kHeaderSize;
    std::string owner;
    if (!read_name(message, at, owner) || !same_name(owner, name) || at + 4 > message.size()) return Reply::kNotOurs;
    if (get16(message, at) != type || get16(message, at + 2) != kClassIn) return Reply::kNotOurs;
    at += 4;
    if ((flags & kFlagTruncated) != 0) return Reply::kTruncated;
    const unsigned rcode = flags & 0xf;
    if (rcode == kRcodeNxDomain) return Reply::kNxDomain;
    if (rcode != 0) return Reply::kServerFailure;

    // The name whose records count: the question's, then each CNAME target.
    std::string current(name);
    int cnames = 0;
    std::vector<Address> found;
    const unsigned answers = get16(message, 6);
    for (unsigned i = 0; i < answers; ++i) {
        if (!read_name(message, at, owner) || at + 10 > message.size()) return Reply::kNotOurs;
        const std::uint16_t record_type = get16(message, at);
        const std::uint16_t record_class = get16(message, at + 2);
        const std::size_t length = get16(message, at + 8);
        const std::size_t data = at + 10;
        if (data + length > message.size()) return Reply::kNotOurs;
        at = data + length;
        if (record_class != kClassIn || !same_name(owner, current)) continue;
        if (record_type == kTypeCname) {
            std::size_t target_at = data;
            std::string target;
            if (++cnames > kMaxCnames || !read_name(message, target_at, target) || target_at != at) {
                return Reply::kNotOurs;
            }
            current = target;
            continue;
        }
        if (record_type != type || found.size() >= kMaxAnswerAddresses) continue;
        Address address;
        if (type == kTypeA && length == 4) {
            auto* v4 = reinterpret_cast<sockaddr_in*>(&address.storage);
            v4->sin_family = AF_INET;
            v4->sin_port = htons(port);
            std::memcpy(&v4->sin_addr, message.data() + data, 4);
            address.length = sizeof(sockaddr_in);
        } else if (type == kTypeAaaa && length == 16) {
            auto* v6 = reinterpret_cast<sockaddr_in6*>(&address.storage);
            v6->sin6_family = AF_INET6;
            v6->sin6_port = htons(port);
            std::memcpy(&v6->sin6_addr, message.data() + data, 16);
            address.length = sizeof(sockaddr_in6);
        } else {
            return Reply::kNotOurs;  // an address of the wrong size
        }
        found.push_back(address);
    }
    out.insert(out.end(), found.begin(), found.end());
    return Reply::kAnswer;
}

}  // namespace csh::agent::forward
