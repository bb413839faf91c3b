// Reading named payload fields of an audit event, whatever integer type the
// host chose for them.
#pragma once

#include <containerssh/sdk/audit.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace audit_s3 {

inline std::optional<csh::sdk::AuditField> find_field(const csh::sdk::AuditEvent& event, std::string_view key) {
    for (std::size_t i = 0; i < event.field_count(); ++i) {
        const csh::sdk::AuditField field = event.field(i);
        if (field.key() == key) return field;
    }
    return std::nullopt;
}

// STRING or BYTES fields.
inline std::optional<std::string_view> text_field(const csh::sdk::AuditEvent& event, std::string_view key) {
    const auto field = find_field(event, key);
    if (!field) return std::nullopt;
    if (field->type() == CSH_AUDIT_VALUE_STRING) return field->string();
    if (field->type() == CSH_AUDIT_VALUE_BYTES) return field->bytes();
    return std::nullopt;
}

// INT (when not negative) or UINT fields.
inline std::optional<uint64_t> uint_field(const csh::sdk::AuditEvent& event, std::string_view key) {
    const auto field = find_field(event, key);
    if (!field) return std::nullopt;
    if (field->type() == CSH_AUDIT_VALUE_UINT) return field->uint_value();
    if (field->type() == CSH_AUDIT_VALUE_INT && field->int_value() >= 0) {
        return static_cast<uint64_t>(field->int_value());
    }
    return std::nullopt;
}

}  // namespace audit_s3
