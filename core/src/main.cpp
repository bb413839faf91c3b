// containerssh: an SSH gateway that runs every session in a container.
#include "app/app.hpp"

int main(int argc, char** argv) { return csh::app::run(argc, argv); }
