// Runs the @nestjs/swagger compiler plugin inside ts-jest, with the options nest-cli.json gives it,
// so the document the tests build equals the one `nest build` produces.
const plugin = require('@nestjs/swagger/plugin');
const nestCli = require('../../nest-cli.json');
const options = nestCli.compilerOptions.plugins.find((p) => p.name === '@nestjs/swagger').options;
module.exports.name = 'nestjs-swagger-transformer';
module.exports.version = 2;
module.exports.factory = (cs) => plugin.before(options, cs.program);
