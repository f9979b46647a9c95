#include <cstdio>

int main() {
  std::puts("otel-audit");
  return 0;
}
