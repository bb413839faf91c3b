// Objects the plugin hands to the host as opaque handles (backend
// connections and sessions, audit streams) are shared_ptr-managed. While the
// host holds the handle, the object keeps a shared_ptr to itself: "the host's
// reference". The SDK drops it when the host closes the handle; callbacks
// that captured shared_from_this() keep the object alive past that, so
// asynchronous teardown needs no manual `delete this`.
#pragma once

#include <memory>
#include <utility>

namespace csh::sdk {

namespace detail {
template <class Object, class Handle>
struct HandleGlue;
}

template <class Object>
class HostReferenced : public std::enable_shared_from_this<Object> {
public:
    // Whether the host still holds this object's handle.
    bool held_by_host() const { return host_reference_ != nullptr; }

protected:
    // shared_from_this() as the derived type.
    template <class Derived>
    std::shared_ptr<Derived> self() {
        return std::static_pointer_cast<Derived>(this->shared_from_this());
    }
    template <class Derived>
    std::weak_ptr<Derived> weak_self() {
        return self<Derived>();
    }

private:
    template <class, class>
    friend struct detail::HandleGlue;
    std::shared_ptr<Object> host_reference_;
};

namespace detail {

// Conversions between an Object and the ABI's opaque Handle type.
template <class Object, class Handle>
struct HandleGlue {
    // Makes `object` host-held and returns its handle.
    static Handle* hand_over(std::shared_ptr<Object> object) {
        Object* raw = object.get();
        raw->host_reference_ = std::move(object);
        return reinterpret_cast<Handle*>(raw);
    }
    static Object& from(Handle* handle) { return *reinterpret_cast<Object*>(handle); }
    // Ends the host's hold; the returned pointer keeps the object alive for
    // the rest of the caller's scope.
    static std::shared_ptr<Object> take_back(Handle* handle) { return std::move(from(handle).host_reference_); }
};

}  // namespace detail
}  // namespace csh::sdk
