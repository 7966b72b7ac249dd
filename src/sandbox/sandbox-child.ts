// The sandbox in a process of its own: started by sandbox-process.ts with its options as JSON in
// argv[2]; it reports its address over IPC and exits when its parent goes away.
import {Sandbox, type SandboxOptions} from './sandbox-server.ts';

const sandbox = new Sandbox(JSON.parse(process.argv[2] ?? '{}') as SandboxOptions);
const url = await sandbox.listen();
process.send!({type: 'listening', url});
process.on('message', (message: {type?: string}) => {
  if (message.type === 'close') void sandbox.close().then(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
