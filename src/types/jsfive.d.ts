// jsfive 0.4.2 ships no type declarations; this reader uses its File/Group/Dataset objects untyped (src/io/keras/hdf5.ts).
declare module 'jsfive' {
  export const File: any;
  export const Group: any;
  export const Dataset: any;
}
