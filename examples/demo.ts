console.log('demo: coming with the simulator');
