//! The CUDA backend: kernels of the loop-nest IR become CUDA C (`emit`), compiled at run time
//! by NVRTC into PTX (`nvrtc`), launched on NVIDIA GPUs through cudarc's driver API
//! (`device`). NVRTC and the driver are loaded with `dlopen` when first needed, so the build
//! needs no CUDA and runs on machines without a GPU.

pub mod device;
pub mod emit;
pub mod nvrtc;

pub use device::{CudaBackend, DeviceSpec, open};
