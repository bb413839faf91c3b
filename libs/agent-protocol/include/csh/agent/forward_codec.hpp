// The wire format of the forward-server protocol (docs/design/forwarding.md
// §1.2, §4): a CBOR sequence of maps, one per packet, no length prefix.
//
// Writing produces exactly fxamacker/cbor's bytes for ContainerSSH's Go
// structs (definite maps, the Go field names as text keys in declaration
// order, shortest integers, null for a nil []byte), so the packet trace of
// §1.5 is a golden test. Reading is tolerant like fxamacker's decoder (keys in
// any order, unknown keys skipped, names matched case-insensitively) but
// refuses what fxamacker never writes and what would let a peer make us
// buffer or recurse without bound: tags, floats, indefinite lengths, nesting
// deeper than kMaxDepth, strings over kMaxItemBytes. Errors are values.
//
// Header-only, no exceptions, no RTTI: the static agent (-fno-exceptions)
// and the backends include it alike.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "csh/agent/forward_protocol.hpp"

namespace csh::agent::forward {

enum class DecodeError : std::uint8_t {
    kNone,
    kTruncated,        // the input ends inside an item
    kTag,              // major type 6
    kFloat,            // half, single or double precision float
    kSimpleValue,      // a simple value other than false/true/null/undefined
    kIndefinite,       // an indefinite length (or a stray break)
    kReserved,         // additional information 28-30
    kTooDeep,          // containers nested deeper than kMaxDepth
    kTooLarge,         // a string over kMaxItemBytes
    kTooManyEntries,   // an array or map over kMaxContainerEntries
    kNotAMap,          // a packet or payload that is not a map
    kWrongType,        // a known key with a value of the wrong type
    kTrailingBytes,    // bytes after a nested payload's item
};

inline const char* describe(DecodeError error) {
    switch (error) {
        case DecodeError::kNone: return "no error";
        case DecodeError::kTruncated: return "the input ends inside a CBOR item";
        case DecodeError::kTag: return "CBOR tags are not accepted";
        case DecodeError::kFloat: return "CBOR floats are not accepted";
        case DecodeError::kSimpleValue: return "a CBOR simple value other than false, true, null or undefined";
        case DecodeError::kIndefinite: return "CBOR indefinite lengths are not accepted";
        case DecodeError::kReserved: return "reserved CBOR additional information (28-30)";
        case DecodeError::kTooDeep: return "CBOR containers nested too deeply";
        case DecodeError::kTooLarge: return "a CBOR item larger than 1 MiB";
        case DecodeError::kTooManyEntries: return "a CBOR array or map with too many entries";
        case DecodeError::kNotAMap: return "a packet or payload that is not a CBOR map";
        case DecodeError::kWrongType: return "a known key holds a value of the wrong CBOR type";
        case DecodeError::kTrailingBytes: return "bytes after the payload's CBOR item";
    }
    return "unknown decode error";
}

// ---------------------------------------------------------------- writing

namespace cbor {

inline void put_head(std::string& out, unsigned major, std::uint64_t value) {
    const auto type = static_cast<char>(major << 5);
    auto put_be = [&](int bytes) {
        for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
    };
    if (value < 24) {
        out.push_back(static_cast<char>(type | static_cast<char>(value)));
    } else if (value <= 0xff) {
        out.push_back(static_cast<char>(type | 24));
        put_be(1);
    } else if (value <= 0xffff) {
        out.push_back(static_cast<char>(type | 25));
        put_be(2);
    } else if (value <= 0xffffffffu) {
        out.push_back(static_cast<char>(type | 26));
        put_be(4);
    } else {
        out.push_back(static_cast<char>(type | 27));
        put_be(8);
    }
}
inline void put_uint(std::string& out, std::uint64_t value) { put_head(out, 0, value); }
inline void put_bytes(std::string& out, std::string_view bytes) {
    put_head(out, 2, bytes.size());
    out.append(bytes);
}
inline void put_text(std::string& out, std::string_view text) {
    put_head(out, 3, text.size());
    out.append(text);
}
inline void put_null(std::string& out) { out.push_back(static_cast<char>(0xf6)); }
inline void put_bool(std::string& out, bool value) { out.push_back(static_cast<char>(value ? 0xf5 : 0xf4)); }
inline void put_text_array(std::string& out, const std::vector<std::string>& items) {
    put_head(out, 4, items.size());
    for (const auto& item : items) put_text(out, item);
}

}  // namespace cbor

// One packet. A non-DATA packet with an empty payload is written as null
// (Go's nil []byte); DATA is null only when `payload_null` says so.
inline void append_packet(std::string& out, std::uint64_t type, std::uint64_t connection_id,
                          std::string_view payload, bool payload_null = false) {
    cbor::put_head(out, 5, 3);
    cbor::put_text(out, "Type");
    cbor::put_uint(out, type);
    cbor::put_text(out, "ConnectionId");
    cbor::put_uint(out, connection_id);
    cbor::put_text(out, "Payload");
    if (payload_null || (type != kData && payload.empty())) {
        cbor::put_null(out);
    } else {
        cbor::put_bytes(out, payload);
    }
}
inline void append_packet(std::string& out, const Packet& packet) {
    append_packet(out, packet.type, packet.connection_id, packet.payload, packet.payload_null);
}
// SUCCESS, ERROR, CLOSE_CONNECTION, NO_MORE_CONNECTIONS, EOF: payload null.
inline void append_control(std::string& out, std::uint64_t type, std::uint64_t connection_id) {
    append_packet(out, type, connection_id, {}, true);
}

inline std::string encode_setup(const SetupPacket& setup) {
    std::string out;
    cbor::put_head(out, 5, setup.has_extensions ? 9 : 8);
    cbor::put_text(out, "ConnectionType");
    cbor::put_uint(out, setup.connection_type);
    cbor::put_text(out, "BindHost");
    cbor::put_text(out, setup.bind_host);
    cbor::put_text(out, "BindPort");
    cbor::put_uint(out, setup.bind_port);
    cbor::put_text(out, "Protocol");
    cbor::put_text(out, setup.protocol);
    cbor::put_text(out, "Screen");
    cbor::put_text(out, setup.screen);
    cbor::put_text(out, "SingleConnection");
    cbor::put_bool(out, setup.single_connection);
    cbor::put_text(out, "AuthProtocol");
    cbor::put_text(out, setup.auth_protocol);
    cbor::put_text(out, "AuthCookie");
    cbor::put_text(out, setup.auth_cookie);
    if (setup.has_extensions) {
        cbor::put_text(out, "Extensions");
        cbor::put_text_array(out, setup.extensions);
    }
    return out;
}

inline std::string encode_new_connection(const NewConnectionPayload& connection) {
    std::string out;
    cbor::put_head(out, 5, 5);
    cbor::put_text(out, "Protocol");
    cbor::put_text(out, connection.protocol);
    cbor::put_text(out, "ConnectedAddress");
    cbor::put_text(out, connection.connected_address);
    cbor::put_text(out, "ConnectedPort");
    cbor::put_uint(out, connection.connected_port);
    cbor::put_text(out, "OriginatorAddress");
    cbor::put_text(out, connection.originator_address);
    cbor::put_text(out, "OriginatorPort");
    cbor::put_uint(out, connection.originator_port);
    return out;
}

inline std::string encode_setup_reply(const SetupReply& reply) {
    std::string out;
    cbor::put_head(out, 5, 4);
    cbor::put_text(out, "Extensions");
    cbor::put_text_array(out, reply.extensions);
    cbor::put_text(out, "BindPort");
    cbor::put_uint(out, reply.bind_port);
    cbor::put_text(out, "Display");
    cbor::put_uint(out, reply.display);
    cbor::put_text(out, "Pid");
    cbor::put_uint(out, reply.pid);
    return out;
}

// csh.window: WINDOW_ADJUST's payload is a nested CBOR unsigned integer.
inline std::string encode_window(std::uint64_t credit) {
    std::string out;
    cbor::put_uint(out, credit);
    return out;
}

// ---------------------------------------------------------------- reading

namespace cbor {

// A cursor over a complete or partial buffer. Every method returns false
// and records the first error; kTruncated also records how many bytes the
// item needs at least, so an incremental reader need not retry earlier.
class Reader {
public:
    Reader(const void* data, std::size_t size) : data_(static_cast<const std::uint8_t*>(data)), size_(size) {}

    std::size_t position() const { return position_; }
    std::size_t needed() const { return needed_; }
    DecodeError error() const { return error_; }
    bool at_end() const { return position_ == size_; }

    // One item head. Refuses tags, floats, other simple values, indefinite
    // lengths and reserved values as soon as the first byte shows them.
    bool head(unsigned& major, std::uint64_t& value) {
        if (position_ >= size_) return truncated(position_ + 1);
        const std::uint8_t initial = data_[position_];
        major = initial >> 5;
        const unsigned info = initial & 31u;
        if (major == 6) return fail(DecodeError::kTag);
        if (info == 31) return fail(DecodeError::kIndefinite);
        if (info >= 28) return fail(DecodeError::kReserved);
        if (major == 7) {
            if (info >= 25) return fail(DecodeError::kFloat);
            if (info < 20 || info == 24) return fail(DecodeError::kSimpleValue);
            value = info;
            ++position_;
            return true;
        }
        if (info < 24) {
            value = info;
            ++position_;
            return true;
        }
        const std::size_t length = std::size_t{1} << (info - 24);
        if (size_ - position_ < 1 + length) return truncated(position_ + 1 + length);
        value = 0;
        for (std::size_t i = 1; i <= length; ++i) value = (value << 8) | data_[position_ + i];
        position_ += 1 + length;
        return true;
    }

    // Skips one well-formed item; `depth` counts the containers around it.
    bool skip(int depth) {
        unsigned major = 0;
        std::uint64_t value = 0;
        if (!head(major, value)) return false;
        switch (major) {
            case 2:
            case 3: return take(value, nullptr);
            case 4:
            case 5: {
                if (depth + 1 > kMaxDepth) return fail(DecodeError::kTooDeep);
                if (value > kMaxContainerEntries) return fail(DecodeError::kTooManyEntries);
                const std::uint64_t items = major == 5 ? value * 2 : value;
                for (std::uint64_t i = 0; i < items; ++i) {
                    if (!skip(depth + 1)) return false;
                }
                return true;
            }
            default: return true;  // integers and simple values: the head is all
        }
    }

    // Typed reads for known keys. Null stands for Go's zero value, as in
    // fxamacker's decoder.
    bool uint(std::uint64_t& out) {
        unsigned major = 0;
        std::uint64_t value = 0;
        if (!head(major, value)) return false;
        if (major == 7 && value == 22) return out = 0, true;
        if (major != 0) return fail(DecodeError::kWrongType);
        out = value;
        return true;
    }
    bool text(std::string& out) {
        unsigned major = 0;
        std::uint64_t value = 0;
        if (!head(major, value)) return false;
        if (major == 7 && value == 22) return out.clear(), true;
        if (major != 3) return fail(DecodeError::kWrongType);
        return take(value, &out);
    }
    bool boolean(bool& out) {
        unsigned major = 0;
        std::uint64_t value = 0;
        if (!head(major, value)) return false;
        if (major == 7 && (value == 20 || value == 21 || value == 22)) return out = value == 21, true;
        return fail(DecodeError::kWrongType);
    }
    // A byte string, or null (`is_null`).
    bool bytes_or_null(std::string& out, bool& is_null) {
        unsigned major = 0;
        std::uint64_t value = 0;
        if (!head(major, value)) return false;
        is_null = major == 7 && (value == 22 || value == 23);
        if (is_null) return out.clear(), true;
        if (major != 2) return fail(DecodeError::kWrongType);
        return take(value, &out);
    }
    bool text_array(std::vector<std::string>& out, bool& present) {
        unsigned major = 0;
        std::uint64_t value = 0;
        if (!head(major, value)) return false;
        out.clear();
        present = !(major == 7 && value == 22);
        if (!present) return true;
        if (major != 4) return fail(DecodeError::kWrongType);
        if (value > kMaxContainerEntries) return fail(DecodeError::kTooManyEntries);
        for (std::uint64_t i = 0; i < value; ++i) {
            out.emplace_back();
            if (!text(out.back())) return false;
        }
        return true;
    }
    // A map head; its entry count in `entries`.
    bool map(std::uint64_t& entries) {
        unsigned major = 0;
        if (!head(major, entries)) return false;
        if (major != 5) return fail(DecodeError::kNotAMap);
        if (entries > kMaxContainerEntries) return fail(DecodeError::kTooManyEntries);
        return true;
    }
    // A key: text into `key`; any other key type is skipped (`is_text` false).
    bool key(std::string& key, bool& is_text, int depth) {
        if (position_ < size_ && (data_[position_] >> 5) == 3) {
            is_text = true;
            return text(key);
        }
        is_text = false;
        return skip(depth);
    }

private:
    bool take(std::uint64_t length, std::string* out) {
        if (length > kMaxItemBytes) return fail(DecodeError::kTooLarge);
        if (size_ - position_ < length) return truncated(position_ + static_cast<std::size_t>(length));
        if (out != nullptr) out->assign(reinterpret_cast<const char*>(data_ + position_), static_cast<std::size_t>(length));
        position_ += static_cast<std::size_t>(length);
        return true;
    }
    bool fail(DecodeError error) {
        if (error_ == DecodeError::kNone) error_ = error;
        return false;
    }
    bool truncated(std::size_t needed) {
        needed_ = needed;
        return fail(DecodeError::kTruncated);
    }

    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t position_ = 0;
    std::size_t needed_ = 0;
    DecodeError error_ = DecodeError::kNone;
};

// Go's field matching: fxamacker tries the exact name, then a
// case-insensitive one. No two fields here differ only in case, so a
// case-insensitive comparison decides both; a repeated key's last value wins.
inline bool same_name(std::string_view key, std::string_view field) {
    if (key.size() != field.size()) return false;
    for (std::size_t i = 0; i < key.size(); ++i) {
        auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(key[i]) != lower(field[i])) return false;
    }
    return true;
}

// Walks a map at the top of `reader`, calling `field(name, reader)` for each
// text key; `field` reads the value and returns false on error, or returns
// true without reading to have the value skipped (`*consumed` stays false).
template <typename Field>
bool read_struct(Reader& reader, Field&& field) {
    std::uint64_t entries = 0;
    if (!reader.map(entries)) return false;
    std::string name;
    for (std::uint64_t i = 0; i < entries; ++i) {
        bool is_text = false;
        if (!reader.key(name, is_text, 1)) return false;
        bool consumed = false;
        if (is_text && !field(name, reader, consumed)) return false;
        if (!consumed && !reader.skip(1)) return false;
    }
    return true;
}

}  // namespace cbor

// Decodes one complete packet item (`size` bytes exactly).
inline DecodeError decode_packet(const void* data, std::size_t size, Packet& packet) {
    packet = Packet{};
    cbor::Reader reader(data, size);
    const bool ok = cbor::read_struct(reader, [&](const std::string& name, cbor::Reader& in, bool& consumed) {
        consumed = true;
        if (cbor::same_name(name, "Type")) return in.uint(packet.type);
        if (cbor::same_name(name, "ConnectionId")) return in.uint(packet.connection_id);
        if (cbor::same_name(name, "Payload")) return in.bytes_or_null(packet.payload, packet.payload_null);
        consumed = false;
        return true;
    });
    if (!ok) return reader.error();
    if (!reader.at_end()) return DecodeError::kTrailingBytes;
    return DecodeError::kNone;
}

inline DecodeError decode_setup(std::string_view bytes, SetupPacket& setup) {
    setup = SetupPacket{};
    cbor::Reader reader(bytes.data(), bytes.size());
    const bool ok = cbor::read_struct(reader, [&](const std::string& name, cbor::Reader& in, bool& consumed) {
        consumed = true;
        if (cbor::same_name(name, "ConnectionType")) return in.uint(setup.connection_type);
        if (cbor::same_name(name, "BindHost")) return in.text(setup.bind_host);
        if (cbor::same_name(name, "BindPort")) return in.uint(setup.bind_port);
        if (cbor::same_name(name, "Protocol")) return in.text(setup.protocol);
        if (cbor::same_name(name, "Screen")) return in.text(setup.screen);
        if (cbor::same_name(name, "SingleConnection")) return in.boolean(setup.single_connection);
        if (cbor::same_name(name, "AuthProtocol")) return in.text(setup.auth_protocol);
        if (cbor::same_name(name, "AuthCookie")) return in.text(setup.auth_cookie);
        if (cbor::same_name(name, "Extensions")) return in.text_array(setup.extensions, setup.has_extensions);
        consumed = false;
        return true;
    });
    if (!ok) return reader.error();
    if (!reader.at_end()) return DecodeError::kTrailingBytes;
    return DecodeError::kNone;
}

inline DecodeError decode_new_connection(std::string_view bytes, NewConnectionPayload& connection) {
    connection = NewConnectionPayload{};
    cbor::Reader reader(bytes.data(), bytes.size());
    const bool ok = cbor::read_struct(reader, [&](const std::string& name, cbor::Reader& in, bool& consumed) {
        consumed = true;
        if (cbor::same_name(name, "Protocol")) return in.text(connection.protocol);
        if (cbor::same_name(name, "ConnectedAddress")) return in.text(connection.connected_address);
        if (cbor::same_name(name, "ConnectedPort")) return in.uint(connection.connected_port);
        if (cbor::same_name(name, "OriginatorAddress")) return in.text(connection.originator_address);
        if (cbor::same_name(name, "OriginatorPort")) return in.uint(connection.originator_port);
        consumed = false;
        return true;
    });
    if (!ok) return reader.error();
    if (!reader.at_end()) return DecodeError::kTrailingBytes;
    return DecodeError::kNone;
}

inline DecodeError decode_setup_reply(std::string_view bytes, SetupReply& reply) {
    reply = SetupReply{};
    cbor::Reader reader(bytes.data(), bytes.size());
    bool present = false;
    const bool ok = cbor::read_struct(reader, [&](const std::string& name, cbor::Reader& in, bool& consumed) {
        consumed = true;
        if (cbor::same_name(name, "Extensions")) return in.text_array(reply.extensions, present);
        if (cbor::same_name(name, "BindPort")) return in.uint(reply.bind_port);
        if (cbor::same_name(name, "Display")) return in.uint(reply.display);
        if (cbor::same_name(name, "Pid")) return in.uint(reply.pid);
        consumed = false;
        return true;
    });
    if (!ok) return reader.error();
    if (!reader.at_end()) return DecodeError::kTrailingBytes;
    return DecodeError::kNone;
}

inline DecodeError decode_window(std::string_view bytes, std::uint64_t& credit) {
    cbor::Reader reader(bytes.data(), bytes.size());
    if (!reader.uint(credit)) return reader.error();
    if (!reader.at_end()) return DecodeError::kTrailingBytes;
    return DecodeError::kNone;
}

// Finds packet boundaries in a byte stream fed in pieces of any size.
// After an error the stream has no framing left to resync on: the error is
// sticky and the caller ends the conversation.
class PacketDecoder {
public:
    // One packet holds at most one string of kMaxItemBytes plus its keys;
    // more is refused, so a peer cannot make us buffer without bound.
    static constexpr std::size_t kMaxPacketBytes = kMaxItemBytes + 4096;

    enum class Status { kPacket, kNeedMore, kError };

    void feed(const void* data, std::size_t size) {
        if (error_ == DecodeError::kNone) buffer_.append(static_cast<const char*>(data), size);
    }

    // kPacket with the next complete packet in `packet`, kNeedMore, or
    // kError (then error() says why).
    Status next(Packet& packet) {
        if (error_ != DecodeError::kNone) return Status::kError;
        const std::size_t available = buffer_.size() - start_;
        // A partial item's known minimum: a DATA packet fed byte by byte is
        // not re-walked until it can be complete.
        if (available == 0 || available < wanted_) return Status::kNeedMore;
        cbor::Reader walker(buffer_.data() + start_, available);
        if (!walker.skip(0)) {
            if (walker.error() != DecodeError::kTruncated) return fail(walker.error());
            if (available > kMaxPacketBytes) return fail(DecodeError::kTooLarge);
            wanted_ = walker.needed();
            return Status::kNeedMore;
        }
        const std::size_t length = walker.position();
        // The same bound for a packet that arrived whole, so the verdict never
        // depends on how the stream was cut.
        if (length > kMaxPacketBytes) return fail(DecodeError::kTooLarge);
        const DecodeError error = decode_packet(buffer_.data() + start_, length, packet);
        if (error != DecodeError::kNone) return fail(error);
        start_ += length;
        wanted_ = 0;
        compact();
        return Status::kPacket;
    }

    DecodeError error() const { return error_; }
    // Bytes fed but not yet returned as packets.
    std::size_t buffered() const { return buffer_.size() - start_; }

private:
    Status fail(DecodeError error) {
        error_ = error;
        buffer_.clear();
        start_ = 0;
        return Status::kError;
    }
    void compact() {
        if (start_ == buffer_.size()) {
            buffer_.clear();
            start_ = 0;
        } else if (start_ >= 65536 && start_ * 2 >= buffer_.size()) {
            buffer_.erase(0, start_);
            start_ = 0;
        }
    }

    std::string buffer_;
    std::size_t start_ = 0;
    std::size_t wanted_ = 0;
    DecodeError error_ = DecodeError::kNone;
};

}  // namespace csh::agent::forward
