#include "format/encoder.hpp"

#include "format/asciicast_encoder.hpp"
#include "format/binary_encoder.hpp"

namespace audit_s3 {

std::unique_ptr<Encoder> make_encoder(Format format) {
    switch (format) {
    case Format::asciinema:
        return std::make_unique<AsciicastEncoder>();
    case Format::binary:
    default:
        return std::make_unique<BinaryEncoder>();
    }
}

std::string_view content_type(Format format) {
    return format == Format::asciinema ? "application/x-asciicast" : "application/octet-stream";
}

}  // namespace audit_s3
