// DNS messages (RFC 1035 §4) for forward-server's stub resolver: A and AAAA
// queries out, their answers in. Answers are untrusted input: every length,
// count and compression pointer is checked against the message.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "resolver.hpp"

namespace csh::agent::forward {

inline constexpr std::uint16_t kTypeA = 1;
inline constexpr std::uint16_t kTypeCname = 5;
inline constexpr std::uint16_t kTypeAaaa = 28;
// No EDNS is sent, so a UDP answer is at most 512 bytes; more is read so
// that a server ignoring that still gets parsed. Over TCP a message has a
// 16-bit length.
inline constexpr std::size_t kMaxUdpMessage = 4096;
inline constexpr std::size_t kMaxTcpMessage = 65535;
// Addresses taken from one answer; more are ignored.
inline constexpr std::size_t kMaxAnswerAddresses = 32;

// A query for `name` (no trailing dot) with recursion desired. False when
// the name is not a DNS name: an empty label, a label over 63 bytes, more
// than 255 bytes in all.
bool build_query(std::string_view name, std::uint16_t id, std::uint16_t type, std::string& out);
// Sets the id of a query built above.
void set_query_id(std::string& query, std::uint16_t id);

enum class Reply {
    kAnswer,         // NOERROR: the addresses (none is a name without such records)
    kNxDomain,       // the name does not exist
    kTruncated,      // TC: ask again over TCP
    kServerFailure,  // SERVFAIL, REFUSED, ...: ask another server
    kNotOurs,        // malformed, or not an answer to this query: ignore it
};

// The message's id, to find the query it may answer; false when it is too
// short to have one.
bool reply_id(std::string_view message, std::uint16_t& id);

// Checks that `message` answers the query (`id`, `name`, `type`: a
// response, standard query, the same single question) and appends the
// addresses of `type` for `name` with `port`, following CNAMEs in the order
// the answer section lists them.
Reply parse_reply(std::string_view message, std::uint16_t id, std::string_view name, std::uint16_t type,
                  std::uint16_t port, std::vector<Address>& out);

}  // namespace csh::agent::forward
