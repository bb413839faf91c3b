#include "format/binary_format.hpp"

namespace audit_s3::binary_format {

std::string header(uint64_t version) {
    std::string bytes(kHeaderLength, '\0');
    bytes.replace(0, kMagic.size(), kMagic);
    for (std::size_t i = 0; i < 8; ++i) {
        bytes[kMagicLength + i] = static_cast<char>((version >> (8 * i)) & 0xff);
    }
    return bytes;
}

}  // namespace audit_s3::binary_format
