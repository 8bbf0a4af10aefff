// Jest on Node 20 cannot require() ES modules (it can from Node 24.9). Nest 12 and a few other
// dependencies ship ESM only, so the tests compile those packages to CommonJS with Babel. This plugin
// rewrites the `import.meta` forms they use; the compiled service needs none of this (Node 20.19+
// loads ESM with require()).
module.exports = function importMetaToCjs({ types: t }) {
  return {
    name: 'puente-import-meta-to-cjs',
    visitor: {
      MemberExpression(path) {
        const { node } = path;
        if (!t.isMetaProperty(node.object) || node.object.meta.name !== 'import') return;
        const prop = node.property.name;
        if (prop === 'url') {
          // `require` may be shadowed by the module's own `const require = createRequire(import.meta.url)`.
          path.replaceWithSourceString('new URL("file://" + encodeURI(__filename)).href');
        } else if (prop === 'resolve') {
          // Only used by @nestjs/terminus to assert that peer packages are installed; they are.
          path.replaceWithSourceString('((s) => s)');
        } else if (prop === 'dirname') {
          path.replaceWithSourceString('__dirname');
        } else if (prop === 'filename') {
          path.replaceWithSourceString('__filename');
        }
      },
    },
  };
};
