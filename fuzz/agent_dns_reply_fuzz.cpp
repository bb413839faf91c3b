// DNS answers as the agent's stub resolver reads them
// (agent/src/forward/dns_message.cpp): bytes from the network, trusted in
// nothing. The query asked is fixed; the answer is the input, parsed for A
// and for AAAA. Every address parsed must be of the asked family, and at
// most kMaxAnswerAddresses are taken.
#include "dns_message.hpp"

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

using namespace csh::agent::forward;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view message(reinterpret_cast<const char*>(data), size);
    std::uint16_t id = 0;
    if (!reply_id(message, id)) return 0;
    for (const std::uint16_t type : {kTypeA, kTypeAaaa}) {
        std::vector<Address> addresses;
        const Reply reply = parse_reply(message, id, "svc.example.test", type, 8080, addresses);
        if (reply != Reply::kAnswer && !addresses.empty()) std::abort();
        if (addresses.size() > kMaxAnswerAddresses) std::abort();
        for (const Address& a : addresses) {
            if (a.storage.ss_family != (type == kTypeA ? AF_INET : AF_INET6)) std::abort();
            if (address_port(a.storage) != 8080) std::abort();
        }
    }
    return 0;
}
