/** process.env plus OPENSSL_CONF (legacy provider for MD4) and NO_PROXY='*'. */
export function pythonPeerEnv(): NodeJS.ProcessEnv;
