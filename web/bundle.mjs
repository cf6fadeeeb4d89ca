// Bundles src/widget.js into one minified IIFE (called by build.py):
//   node web/bundle.mjs <outfile> <targets>
// The stylesheet is minified by esbuild's CSS minifier and inlined as text.
import { readFile } from "node:fs/promises";
import { build, transform } from "esbuild";

const [outfile, target] = process.argv.slice(2);

const minifiedCss = {
  name: "minified-css-text",
  setup(build) {
    build.onLoad({ filter: /\.css$/ }, async (args) => {
      const { code } = await transform(await readFile(args.path, "utf8"), { loader: "css", minify: true });
      return { contents: code, loader: "text" };
    });
  },
};

await build({
  entryPoints: [new URL("./src/widget.js", import.meta.url).pathname],
  outfile,
  bundle: true,
  minify: true,
  format: "iife",
  platform: "browser",
  target: target.split(","),
  charset: "utf8",
  legalComments: "eof",
  logLevel: "warning",
  plugins: [minifiedCss],
});
