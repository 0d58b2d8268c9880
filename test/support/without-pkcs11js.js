// Loaded with `node --import` before the engine: the optional package pkcs11js then cannot be found,
// as on a machine where it was not installed (no compiler, or its install script not allowed).
import { register } from 'node:module';

const hook = `
export async function resolve(specifier, context, next) {
  if (specifier === 'pkcs11js') {
    const error = new Error("Cannot find package 'pkcs11js'");
    error.code = 'ERR_MODULE_NOT_FOUND';
    throw error;
  }
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
