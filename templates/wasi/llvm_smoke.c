/* Smoke test of LLVM built for the WASI host (rustc-wasm-proc-macros): build a module
 * with one function through LLVM's C API, verify it, and compile it to a WebAssembly
 * object in memory, the same path rustc's LLVM backend takes. Prints the object size
 * and the function's name from the object's symbol table; exits 1 on any failure. */
#include <llvm-c/Analysis.h>
#include <llvm-c/Core.h>
#include <llvm-c/Object.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm/Config/llvm-config.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  LLVMInitializeWebAssemblyTargetInfo();
  LLVMInitializeWebAssemblyTarget();
  LLVMInitializeWebAssemblyTargetMC();
  LLVMInitializeWebAssemblyAsmPrinter();

  LLVMContextRef ctx = LLVMContextCreate();
  LLVMModuleRef module = LLVMModuleCreateWithNameInContext("smoke", ctx);
  LLVMTypeRef i32 = LLVMInt32TypeInContext(ctx);
  LLVMTypeRef params[2] = {i32, i32};
  LLVMValueRef fn = LLVMAddFunction(module, "smoke_add", LLVMFunctionType(i32, params, 2, 0));
  LLVMBuilderRef b = LLVMCreateBuilderInContext(ctx);
  LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(ctx, fn, "entry"));
  LLVMBuildRet(b, LLVMBuildAdd(b, LLVMGetParam(fn, 0), LLVMGetParam(fn, 1), "sum"));

  char *error = NULL;
  if (LLVMVerifyModule(module, LLVMReturnStatusAction, &error)) {
    fprintf(stderr, "verify failed: %s\n", error);
    return 1;
  }
  const char *triple = "wasm32-unknown-wasip1";
  LLVMTargetRef target;
  if (LLVMGetTargetFromTriple(triple, &target, &error)) {
    fprintf(stderr, "no target %s: %s\n", triple, error);
    return 1;
  }
  LLVMTargetMachineRef tm = LLVMCreateTargetMachine(target, triple, "generic", "", LLVMCodeGenLevelDefault,
                                                    LLVMRelocDefault, LLVMCodeModelDefault);
  LLVMMemoryBufferRef object;
  if (LLVMTargetMachineEmitToMemoryBuffer(tm, module, LLVMObjectFile, &error, &object)) {
    fprintf(stderr, "codegen failed: %s\n", error);
    return 1;
  }
  size_t size = LLVMGetBufferSize(object);
  const char *bytes = LLVMGetBufferStart(object);
  if (size < 8 || memcmp(bytes, "\0asm", 4) != 0) {
    fprintf(stderr, "not a wasm object (%zu bytes)\n", size);
    return 1;
  }
  LLVMBinaryRef binary = LLVMCreateBinary(object, ctx, &error);
  int found = 0;
  LLVMSymbolIteratorRef sym = LLVMObjectFileCopySymbolIterator(binary);
  while (!LLVMObjectFileIsSymbolIteratorAtEnd(binary, sym)) {
    if (strcmp(LLVMGetSymbolName(sym), "smoke_add") == 0)
      found = 1;
    LLVMMoveToNextSymbol(sym);
  }
  printf("LLVM %s on WASI: compiled smoke_add to a %zu-byte wasm object%s\n", LLVM_VERSION_STRING,
         size, found ? ", symbol found" : "");
  return found ? 0 : 1;
}
