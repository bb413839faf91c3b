// The effective configuration as JSON, the form plugins receive.
#pragma once

#include <containerssh/sdk/json_writer.hpp>

#include "config/schema.hpp"
#include "config/value.hpp"

namespace csh::config::detail {

// Keys the schema types are written as that type: booleans as true/false
// (also when written yes/no), durations in Go's spelling ("1m0s"), a
// colon-separated TLS list as an array. Free-form parts (`node` nullptr or
// free_form) follow their spelling: a plain true, 12, 1.5 or null becomes
// that JSON literal, a quoted "true" stays a text.
void write_json(sdk::JsonWriter& out, const schema::Node* node, const Value& value);

}  // namespace csh::config::detail
