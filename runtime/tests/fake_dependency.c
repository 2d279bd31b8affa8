/*===- fake_dependency.c - a library an artifact's host code depends on ---===*
 *
 * Defines a symbol with the entry prefix outside the artifact's own code:
 * the runtime must refuse to call it even though dlsym finds it.
 *
 *===----------------------------------------------------------------------===*/

void hetc_fake_dependency_anchor(void) {}

void hetc_entry_imported(void **buffers) { (void)buffers; }
