// The lpmesh command-line program (placeholder until the scenario runner lands).
#include <cstdio>

int main() {
  std::puts("lpmesh " LPM_VERSION);
  return 0;
}
