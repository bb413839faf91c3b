#include <elf.h>

#include <boost/test/unit_test.hpp>

#include <cstring>
#include <string>

#include "agent_process.hpp"
#include "file_contents.hpp"

BOOST_AUTO_TEST_SUITE(static_binary)

// Images may lack a dynamic loader or ship another libc: the agent must need
// neither, so its ELF has no interpreter and no dynamic section.
BOOST_AUTO_TEST_CASE(the_agent_has_no_interpreter_and_no_dynamic_section) {
    const std::string image = csh::test::read_file(csh::agent::test::agent_binary());
    BOOST_REQUIRE(image.size() >= sizeof(Elf64_Ehdr));
    Elf64_Ehdr header;
    std::memcpy(&header, image.data(), sizeof(header));
    BOOST_REQUIRE(std::memcmp(header.e_ident, ELFMAG, SELFMAG) == 0);
    BOOST_REQUIRE(header.e_ident[EI_CLASS] == ELFCLASS64);
    BOOST_TEST(header.e_type == ET_EXEC);
    BOOST_REQUIRE(header.e_phnum > 0);
    BOOST_REQUIRE(header.e_phoff + std::size_t{header.e_phnum} * sizeof(Elf64_Phdr) <= image.size());
    for (unsigned i = 0; i < header.e_phnum; ++i) {
        Elf64_Phdr segment;
        std::memcpy(&segment, image.data() + header.e_phoff + i * sizeof(Elf64_Phdr), sizeof(segment));
        BOOST_TEST(segment.p_type != PT_INTERP);
        BOOST_TEST(segment.p_type != PT_DYNAMIC);
    }
}

// forward-server uses std::string and std::map with -fno-exceptions; the
// library's throwing helpers would drag in the unwinder, the terminate
// handler and the demangler (agent/src/forward/no_exceptions.cpp). The
// verbose terminate handler's message shows when they came back.
BOOST_AUTO_TEST_CASE(the_agent_carries_no_cxx_exception_runtime) {
    const std::string image = csh::test::read_file(csh::agent::test::agent_binary());
    BOOST_TEST(image.find("terminate called after throwing") == std::string::npos);
    BOOST_TEST(image.find("__cxa_demangle") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
