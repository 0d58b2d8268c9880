// LETHE_ASSET_STORE and the LETHE_AZURE_BLOB_* settings, read through loadConfig.
import { ENGINE_ENV_VARS, loadConfig } from './engine-config.js';
import { problemsOf } from './config-problems.fixture.js';

const KEY = 'c2VjcmV0LWFjY291bnQta2V5LXRoYXQtbXVzdC1uZXZlci1iZS1lY2hvZWQ=';
const CONNECTION_STRING = `DefaultEndpointsProtocol=https;AccountName=lethedata;AccountKey=${KEY};EndpointSuffix=core.windows.net`;

describe('asset store configuration', () => {
  it('is local by default, whatever Azure settings are around', () => {
    expect(loadConfig({}).assetStore).toEqual({ kind: 'local' });
    expect(loadConfig({ LETHE_AZURE_BLOB_STAGING_CONTAINER: 'Not_Valid' }).assetStore).toEqual({ kind: 'local' });
    expect(loadConfig({ LETHE_ASSET_STORE: 'local' }).assetStore).toEqual({ kind: 'local' });
  });

  it('reads azure-blob with a connection string, and the default container names', () => {
    expect(loadConfig({ LETHE_ASSET_STORE: 'azure-blob', LETHE_AZURE_BLOB_CONNECTION_STRING: CONNECTION_STRING }).assetStore).toEqual({
      kind: 'azure-blob',
      connectionString: CONNECTION_STRING,
      stagingContainer: 'lethe-staging',
      backupContainer: 'lethe-backups',
    });
  });

  it('reads azure-blob with an account URL (DefaultAzureCredential) and named containers', () => {
    const c = loadConfig({
      LETHE_ASSET_STORE: 'azure-blob',
      LETHE_AZURE_BLOB_ACCOUNT_URL: 'https://lethedata.blob.core.windows.net',
      LETHE_AZURE_BLOB_STAGING_CONTAINER: 'tenant-staging-2',
      LETHE_AZURE_BLOB_BACKUP_CONTAINER: 'platform-backups',
    });
    expect(c.assetStore).toEqual({
      kind: 'azure-blob',
      accountUrl: 'https://lethedata.blob.core.windows.net',
      stagingContainer: 'tenant-staging-2',
      backupContainer: 'platform-backups',
    });
    // Azurite over plain http on loopback, and its shortcut.
    expect(problemsOf({ LETHE_ASSET_STORE: 'azure-blob', LETHE_AZURE_BLOB_ACCOUNT_URL: 'http://127.0.0.1:10000/devstoreaccount1' })).toEqual([]);
    expect(problemsOf({ LETHE_ASSET_STORE: 'azure-blob', LETHE_AZURE_BLOB_CONNECTION_STRING: 'UseDevelopmentStorage=true' })).toEqual([]);
  });

  it.each([
    [{ LETHE_ASSET_STORE: 's3' }, 'LETHE_ASSET_STORE: must be one of local, azure-blob'],
    [{ LETHE_ASSET_STORE: 'azure-blob' }, 'LETHE_AZURE_BLOB_CONNECTION_STRING, LETHE_AZURE_BLOB_ACCOUNT_URL: set exactly one with LETHE_ASSET_STORE=azure-blob (neither is set)'],
    [
      { LETHE_ASSET_STORE: 'azure-blob', LETHE_AZURE_BLOB_CONNECTION_STRING: CONNECTION_STRING, LETHE_AZURE_BLOB_ACCOUNT_URL: 'https://a.blob.core.windows.net' },
      'LETHE_AZURE_BLOB_CONNECTION_STRING, LETHE_AZURE_BLOB_ACCOUNT_URL: set exactly one with LETHE_ASSET_STORE=azure-blob (both are set)',
    ],
    [{ LETHE_ASSET_STORE: 'azure-blob', LETHE_AZURE_BLOB_CONNECTION_STRING: `AccountName=lethedata;${KEY}` }, 'LETHE_AZURE_BLOB_CONNECTION_STRING: must be an Azure Storage connection string'],
    [{ LETHE_ASSET_STORE: 'azure-blob', LETHE_AZURE_BLOB_ACCOUNT_URL: 'http://lethedata.blob.core.windows.net' }, 'LETHE_AZURE_BLOB_ACCOUNT_URL: must be the https:// URL'],
    [{ LETHE_ASSET_STORE: 'azure-blob', LETHE_AZURE_BLOB_ACCOUNT_URL: `https://lethedata.blob.core.windows.net/?sig=${KEY}` }, 'LETHE_AZURE_BLOB_ACCOUNT_URL: must be the https:// URL'],
    [{ LETHE_ASSET_STORE: 'azure-blob', LETHE_AZURE_BLOB_CONNECTION_STRING: CONNECTION_STRING, LETHE_AZURE_BLOB_STAGING_CONTAINER: 'Staging' }, 'LETHE_AZURE_BLOB_STAGING_CONTAINER: must be a container name'],
    [{ LETHE_ASSET_STORE: 'azure-blob', LETHE_AZURE_BLOB_CONNECTION_STRING: CONNECTION_STRING, LETHE_AZURE_BLOB_BACKUP_CONTAINER: 'ab' }, 'LETHE_AZURE_BLOB_BACKUP_CONTAINER: must be a container name'],
    [{ LETHE_ASSET_STORE: 'azure-blob', LETHE_AZURE_BLOB_CONNECTION_STRING: CONNECTION_STRING, LETHE_AZURE_BLOB_BACKUP_CONTAINER: 'lethe--backups' }, 'LETHE_AZURE_BLOB_BACKUP_CONTAINER: must be a container name'],
    [{ LETHE_ASSET_STORE: 'azure-blob', LETHE_AZURE_BLOB_CONNECTION_STRING: CONNECTION_STRING, LETHE_AZURE_BLOB_BACKUP_CONTAINER: 'backups-' }, 'LETHE_AZURE_BLOB_BACKUP_CONTAINER: must be a container name'],
    [{ LETHE_ASSET_STORE: 'azure-blob', LETHE_AZURE_BLOB_CONNECTION_STRING: CONNECTION_STRING, LETHE_AZURE_BLOB_BACKUP_CONTAINER: `x${'a'.repeat(63)}` }, 'LETHE_AZURE_BLOB_BACKUP_CONTAINER: must be a container name'],
    [
      { LETHE_ASSET_STORE: 'azure-blob', LETHE_AZURE_BLOB_CONNECTION_STRING: CONNECTION_STRING, LETHE_AZURE_BLOB_BACKUP_CONTAINER: 'lethe-staging' },
      'LETHE_AZURE_BLOB_BACKUP_CONTAINER: must differ from LETHE_AZURE_BLOB_STAGING_CONTAINER',
    ],
  ])('refuses %j, naming the setting and the rule', (env, problem) => {
    const problems = problemsOf(env as Record<string, string>);
    expect(problems).toHaveLength(1);
    expect(problems[0].startsWith(problem)).toBe(true);
    expect(problems.join(' ')).not.toContain(KEY);
  });

  it('lists every asset store setting among the engine environment variables', () => {
    expect(ENGINE_ENV_VARS).toEqual(
      expect.arrayContaining([
        'LETHE_ASSET_STORE',
        'LETHE_AZURE_BLOB_CONNECTION_STRING',
        'LETHE_AZURE_BLOB_ACCOUNT_URL',
        'LETHE_AZURE_BLOB_STAGING_CONTAINER',
        'LETHE_AZURE_BLOB_BACKUP_CONTAINER',
      ]),
    );
  });
});
