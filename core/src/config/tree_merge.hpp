// Laying one tree over another: how defaults are filled in under the file,
// and how a configuration server's answer is merged over the file.
#pragma once

#include "config/schema.hpp"
#include "config/value.hpp"

namespace csh::config::detail {

// Mappings merge key by key, recursively; anything else in `overlay`
// (texts, numbers, false, "", lists) replaces what `base` has. A null or
// absent overlay keeps `base`. `node` describes the trees (nullptr: free
// form); inside free-form parts keys match regardless of case, because the
// Docker API reads `Image` and `image` as the same field.
ValuePtr merge_over(const schema::Node* node, const ValuePtr& base, const ValuePtr& overlay);

}  // namespace csh::config::detail
